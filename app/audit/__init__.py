from app.audit.service import Actor, record

__all__ = ["Actor", "record"]
