"""passage serve | migrate | createuser | grant-global-admin | confirm-user | demo |
import-roster | backup | restore | locales"""

import sys
from pathlib import Path
from typing import Annotated

import typer

# Each command imports the app's modules when it runs, not here: the whole app takes a second
# or more to import, and `passage --help` should answer at once.
cli = typer.Typer(help="Passage: case management for people leaving scam compounds.",
                  no_args_is_help=True, add_completion=False,
                  # plain tracebacks: rich ones print local variables, which may hold personal data
                  pretty_exceptions_enable=False)


def _database_url() -> str:
    from app.config import get_settings

    return get_settings().database_url


@cli.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Bring the database schema up to date (Alembic)."""
    from app.migrate import upgrade

    upgrade(_database_url(), revision)
    typer.echo(f"Database at revision {revision}.")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve Passage with uvicorn. Behind a proxy, set PASSAGE_FORWARDED_ALLOW_IPS to its
    address (README: "Running behind a TLS proxy")."""
    import uvicorn

    from app.config import get_settings

    # uvicorn's own access log prints paths with their query strings (a name search would land
    # in the log); Passage logs requests itself by route template (app/main.py).
    uvicorn.run("app.asgi:app", host=host, port=port, workers=workers,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
                **proxy_options(get_settings().forwarded_allow_ips),
                log_level="info", access_log=False, log_config=_log_config())


# How long an idle connection is kept open for the client's next request. uvicorn's 5 s is
# shorter than the idle time of a client's (or a proxy's) pooled connection: a request sent
# as the server closes the connection fails with "connection reset" (2 of 11,980 requests in
# scripts/load.py at 100 users). 75 s, as nginx and gunicorn keep them, and longer than what
# proxies in front usually keep theirs (60 s), so that the proxy closes first.
KEEP_ALIVE_SECONDS = 75


def proxy_options(forwarded_allow_ips: str) -> dict:
    """uvicorn's proxy options: proxy headers only from the proxies named in the settings;
    without any, the address a request came from is the one the connection came from."""
    return {"proxy_headers": bool(forwarded_allow_ips),
            "forwarded_allow_ips": forwarded_allow_ips or None}


def _log_config() -> dict:
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "loggers": dict(LOGGING_CONFIG["loggers"])}
    config["loggers"]["passage"] = {"handlers": ["default"], "level": "INFO",
                                    "propagate": False}
    return config


@cli.command()
def createuser(
    username: Annotated[str, typer.Argument(help="The new user's sign-in name")],
    role: Annotated[str, typer.Option(help="caseworker, border_official, coordinator or admin")],
    organization: Annotated[str, typer.Option(help="Organisation name (created if new)")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input")
    ] = False,
    full_name: Annotated[str, typer.Option(help="The person's name, shown in the app")] = "",
    language: Annotated[str, typer.Option(
        help="The language of their pages: a code `passage locales` lists (en, th, ...)")] = "en",
) -> None:
    """Create a user (and the organisation, if it is new)."""
    from app import audit
    from app.auth import service
    from app.errors import AppError
    from app.models import new_session

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with new_session() as session:
        try:
            org = service.get_or_create_organization(session, name=organization)
            user = service.create_user(session, actor=audit.Actor.system("createuser"),
                                       username=username, password=password, role=role,
                                       organization=org, full_name=full_name,
                                       preferred_language=language)
        except AppError as exc:
            typer.echo(f"Error: {_plain(exc.detail)}", err=True)
            raise typer.Exit(2) from None
        session.commit()
        typer.echo(f"Created {user.username} ({user.role}) in {org.name}.")


def _user_named(session, username: str):
    from sqlmodel import select

    from app.auth.models import User

    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        typer.echo(f"Error: no user named {username}", err=True)
        raise typer.Exit(2)
    return user


@cli.command("grant-global-admin")
def grant_global_admin(
    username: Annotated[str, typer.Argument(help="An administrator's sign-in name")],
    revoke: Annotated[bool, typer.Option(
        "--revoke", help="Take the Passage-wide permission away instead")] = False,
) -> None:
    """Make an administrator Passage-wide: they manage every organisation's users and the
    organisations (otherwise an administrator manages only their own organisation's users).
    Given only here, by the server operator, never in the app."""
    from app import audit
    from app.auth.permissions import ROLE_PERMISSIONS, Permission, Role
    from app.models import new_session

    with new_session() as session:
        user = _user_named(session, username)
        role = Role(user.role) if user.role in Role._value2member_map_ else None
        if not revoke and (role is None or Permission.USER_ADMIN not in ROLE_PERMISSIONS[role]):
            typer.echo(f"Error: {username} is not an administrator", err=True)
            raise typer.Exit(2)
        user.global_admin = not revoke
        session.add(user)
        audit.record(session, actor=audit.Actor.system("grant-global-admin"),
                     action="user.global_admin_revoke" if revoke else "user.global_admin_grant",
                     entity_type="user", entity_id=user.id)
        session.commit()
    typer.echo(f"{username} is {'no longer' if revoke else 'now'} a Passage-wide administrator.")


@cli.command("confirm-user")
def confirm_user(
    username: Annotated[str, typer.Argument(help="The sign-in name of a user awaiting "
                                                 "confirmation")],
) -> None:
    """Confirm a user awaiting confirmation (the two-person rule), where no caseworker or
    coordinator of their organisation can: a new organisation's first one."""
    from app import audit
    from app.auth import confirmation
    from app.models import new_session

    with new_session() as session:
        user = _user_named(session, username)
        if not user.awaiting_confirmation:
            typer.echo(f"{username} is confirmed already.")
            return
        actor = audit.Actor.system("confirm-user")
        reason = user.awaiting_reason
        confirmation.confirm_as(session, actor=actor, user=user)
        audit.record(session, actor=actor, action="user.confirm", entity_type="user",
                     entity_id=user.id, detail={"reason": reason, "role": user.role,
                                                "organization_id": user.organization_id})
        session.commit()
    typer.echo(f"{username} is confirmed.")


def _plain(detail) -> str:
    if isinstance(detail, list):
        return "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in detail)
    return str(detail)


@cli.command()
def demo() -> None:
    """Load the synthetic KK Park demo data set (seeded, idempotent) and print the sign-ins."""
    from app.demo.loader import load_demo

    load_demo(echo=typer.echo)


@cli.command("import-roster")
def import_roster(
    file: Annotated[Path, typer.Argument(help="The roster: CSV (UTF-8) or XLSX",
                                         exists=True, dir_okay=False, readable=True)],
    as_user: Annotated[str, typer.Option(
        "--as", help="Username of the border official whose organisation records it")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check every row and report; write nothing")] = False,
) -> None:
    """Import a roster of crossings, as POST /api/v1/crossings/import does: all or nothing,
    people already known are matched, crossings already on record are skipped."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from sqlmodel import select

    from app import audit
    from app.auth.models import User
    from app.auth.permissions import Permission, can
    from app.config import get_settings
    from app.crossings import importer
    from app.errors import AppError
    from app.models import new_session

    with file.open("rb") as f:
        content = f.read(get_settings().max_upload_bytes + 1)
    with new_session() as session:
        user = session.exec(select(User).where(User.username == as_user)).first()
        if user is None or not can(user, Permission.CROSSING_CREATE):
            typer.echo(f"Error: {as_user} is not an active user who may record crossings "
                       "(a border official)", err=True)
            raise typer.Exit(2)
        columns = (TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=Console(stderr=True)) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            try:
                report = importer.import_file(session, actor=audit.Actor.of(user, "cli"),
                                              content=content, dry_run=dry_run,
                                              progress=progress)
            except importer.RosterInvalid as exc:
                session.rollback()
                bar.stop()
                for e in exc.errors:
                    where = f"row {e.row}" + (f", {e.column}" if e.column else "")
                    typer.echo(f"{where}: {e.message}", err=True)
                typer.echo(f"{len(exc.errors)} problem(s): nothing was imported.", err=True)
                raise typer.Exit(1) from None
            except AppError as exc:
                session.rollback()
                typer.echo(f"Error: {_plain(exc.detail)}", err=True)
                raise typer.Exit(2) from None
        session.commit()
    verb = "Checked (nothing written)" if dry_run else "Imported"
    typer.echo(f"{verb}: {report.rows} rows naming {report.people} people; "
               f"{report.crossings_created} crossings recorded, {report.crossings_skipped} "
               "already on record.")


@cli.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists")] = False,
) -> None:
    """Back up the whole database to FILE (PostgreSQL: pg_dump's custom format; SQLite: a
    copy made with SQLite's online backup API). Safe while Passage runs."""
    from app import backup as backups

    try:
        contents = backups.backup(_database_url(), file, force=force)
    except backups.BackupError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Backed up to {file}: {contents.describe()}.")


@cli.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by passage backup",
                                         exists=True, dir_okay=False, readable=True)],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the contents of a database that is not empty (what was "
                        "written since the backup is lost, audit log included)")] = False,
) -> None:
    """Restore a backup made by `passage backup` into the configured database, which must be
    empty unless --force is given. PostgreSQL: one transaction, all or nothing."""
    from app import backup as backups
    from app.migrate import head_revision

    try:
        contents = backups.restore(_database_url(), file, force=force)
    except backups.BackupError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Restored {file}: {contents.describe()}.")
    if contents.revision != head_revision():
        typer.echo("The backup is from another version of Passage: run `passage migrate` "
                   "before serving it.")


@cli.command()
def locales(
    action: Annotated[str, typer.Argument(
        help="table: the README's table of locales; extract: write app/locale/messages.pot "
             "from the code and templates; update: bring every .po up to date with it; "
             "check: what is missing, empty or wrong in each .po")] = "table",
) -> None:
    """The languages Passage speaks: their coverage and review state, and the catalogues."""
    from app import i18n, i18n_catalogue

    if action == "table":
        typer.echo(i18n.readme_table())
    elif action == "extract":
        count = i18n_catalogue.write_template()
        typer.echo(f"{count} messages in {i18n.TEMPLATE_FILE.relative_to(Path.cwd())}"
                   if i18n.TEMPLATE_FILE.is_relative_to(Path.cwd())
                   else f"{count} messages in {i18n.TEMPLATE_FILE}")
    elif action == "update":
        for locale in i18n.REGISTRY:
            if locale.code != i18n.SOURCE_LOCALE:
                typer.echo(f"{locale.code}: {i18n_catalogue.update(locale)} messages")
    elif action == "check":
        problems = i18n_catalogue.check_all()
        for problem in problems:
            typer.echo(str(problem))
        for locale in i18n.REGISTRY:
            for msgid in i18n_catalogue.stale(locale):
                typer.echo(f"{locale.code}: no longer used (harmless; `passage locales "
                           f"update` drops it): {msgid!r}")
        typer.echo(f"{len(problems)} problems")
        raise typer.Exit(1 if problems else 0)
    else:
        typer.echo("Choose table, extract, update or check.", err=True)
        raise typer.Exit(2)


def main() -> None:
    cli()
