"""The command line: a thin typer layer (cli, with cli_data, cli_tools and cli_support) over the stages,
plus the commands' own work: validating many specs (validate), reproducing the book's results
(reproduce, reproduction) and writing a starter spec (starter). Nothing else imports from here.
"""
