"""``python -m realistcoder`` runs the command-line interface."""

from realistcoder.cli.main import main

if __name__ == "__main__":
    main()
