"""`manage.py import_csv <paiements|arrets|droits> fichier.csv [--dry-run]` (FEATURES H6).

Loads payments (C1, with their décompte lines), arrêts de travail (C5) or rights (B3) from a
CSV file. The rules live in `paiements/imports.py`; this command only reads its arguments and
prints the outcome. Exit status 1 when the file has errors (then nothing was saved).
"""

import sys
from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from paiements import imports


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's ordering of the options, and the column list printed as written."""


class Command(BaseCommand):
    help = (
        "Importe un fichier CSV (UTF-8, séparateur « ; » ou « , ») de paiements, d'arrêts de "
        "travail ou de droits. Chaque ligne est vérifiée avant tout enregistrement : une seule "
        "erreur et rien n'est enregistré. Réimporter le même fichier ne crée rien en double."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault(
            "epilog",
            f"{imports.columns_help()}\n\n(* : colonne obligatoire ; "
            "README, section « Importer des données (H6) »)",
        )
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "kind",
            choices=list(imports.IMPORTERS),
            metavar="type",
            help="paiements, arrets (arrêts de travail) ou droits",
        )
        parser.add_argument("file", metavar="fichier.csv", help="le fichier, ou - pour stdin")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="vérifie le fichier et affiche ce qui serait fait, sans rien enregistrer",
        )

    def handle(self, *args, kind, file, dry_run, **options):
        source = sys.stdin.buffer if file == "-" else file
        try:
            report = imports.import_csv(kind, source, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {file}") from None
        except IsADirectoryError:
            raise CommandError(f"{file} est un dossier, pas un fichier CSV.") from None
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            count = len(report.errors)
            name = "l'entrée standard" if file == "-" else file
            raise CommandError(
                f"{count} erreur{'s' if count > 1 else ''} dans {name} : rien n'a été "
                "enregistré. Corrigez le fichier puis relancez l'import."
            )
        prefix = "Vérification seule (--dry-run), rien n'a été enregistré : " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(f"{prefix}{report.rows} lignes lues. {report.summary()}")
        )
