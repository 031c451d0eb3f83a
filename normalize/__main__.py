from normalize.cli import entry

entry()
