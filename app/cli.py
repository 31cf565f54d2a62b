"""passage serve | migrate | createuser | demo | import-roster"""

import sys
from typing import Annotated

import typer

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
    """Serve Passage with uvicorn."""
    import uvicorn

    uvicorn.run("app.asgi:app", host=host, port=port, workers=workers,
                proxy_headers=True, log_level="info")


@cli.command()
def createuser(
    username: Annotated[str, typer.Argument(help="The new user's sign-in name")],
    role: Annotated[str, typer.Option(help="caseworker, border_official, coordinator or admin")],
    organization: Annotated[str, typer.Option(help="Organisation name (created if new)")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input")
    ] = False,
    full_name: Annotated[str, typer.Option(help="The person's name, shown in the app")] = "",
) -> None:
    """Create a user (and the organisation, if it is new)."""
    from app import audit
    from app.auth import service
    from app.db import new_session
    from app.errors import AppError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with new_session() as session:
        try:
            org = service.get_or_create_organization(session, name=organization)
            user = service.create_user(session, actor=audit.Actor.system("createuser"),
                                       username=username, password=password, role=role,
                                       organization=org, full_name=full_name)
        except AppError as exc:
            typer.echo(f"Error: {_plain(exc.detail)}", err=True)
            raise typer.Exit(2) from None
        session.commit()
        typer.echo(f"Created {user.username} ({user.role}) in {org.name}.")


def _plain(detail) -> str:
    if isinstance(detail, list):
        return "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in detail)
    return str(detail)


@cli.command()
def demo() -> None:
    """Load the synthetic KK Park demo data set (seeded, idempotent) and print the sign-ins."""
    from app.demo.loader import load_demo

    load_demo(echo=typer.echo)


def main() -> None:
    cli()
