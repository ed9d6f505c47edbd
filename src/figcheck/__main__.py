"""``python -m figcheck`` runs the command line."""

from figcheck.cli import main

if __name__ == "__main__":
    main()
