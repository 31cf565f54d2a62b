"""The limit app of scripts/bench_http.py: a bare FastAPI app, no framework of its own, that
runs on each request exactly the SQL Passage ran for it (the bearer token's lookup, the
route's reads and writes, the audit event), on one connection, and commits once.

The statements are those Passage executed for one request of each endpoint, captured by
bench_http.py (a pickle named by PASSAGE_BENCH_CAPTURE): the same text and the same values,
except that an id a RETURNING gave back is replaced by the id this run's insert gave back
(an interview's answers and screening belong to the new interview). Served by uvicorn with
the same settings as `passage serve`.
"""

import json
import os
import pickle
import queue
import re
from contextlib import contextmanager

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import Response

with open(os.environ["PASSAGE_BENCH_CAPTURE"], "rb") as f:
    CAPTURE: dict = pickle.load(f)  # noqa: S301 (written by bench_http.py a moment ago)
DSN = CAPTURE["dsn"]
POOL: queue.LifoQueue = queue.LifoQueue()
POOL_SIZE = 20
_opened = 0
RETURNED_KEY = re.compile(r"^(interview_id|screening_id)(__\d+)?$")

app = FastAPI()


@contextmanager
def connection():
    global _opened
    try:
        conn = POOL.get_nowait()
    except queue.Empty:
        if _opened < POOL_SIZE:
            _opened += 1
            conn = psycopg.connect(DSN)
        else:
            conn = POOL.get(timeout=10)
    try:
        yield conn
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    finally:
        POOL.put(conn)


def _substitute(parameters, ids: dict):
    if isinstance(parameters, dict):
        return {k: ids.get(v, v) if RETURNED_KEY.match(k) else v for k, v in parameters.items()}
    return parameters


def replay(name: str) -> list:
    rows: list = []
    ids: dict = {}
    with connection() as conn, conn.cursor() as cursor:
        for statement, parameters, many, returned in CAPTURE["endpoints"][name]:
            if many:
                cursor.executemany(statement, [_substitute(p, ids) for p in parameters])
                continue
            cursor.execute(statement, _substitute(parameters, ids) or None)
            if cursor.description is not None:
                rows = cursor.fetchall()
                if returned is not None:
                    ids.update(zip(returned, (r[0] for r in rows), strict=False))
    return rows


def _answer(rows: list) -> Response:
    return Response(json.dumps([list(r) for r in rows], default=str),
                    media_type="application/json")


@app.get("/bare/{name}")
def bare_get(name: str, request: Request) -> Response:
    request.headers.get("authorization")
    return _answer(replay(name))


@app.post("/bare/{name}")
async def bare_post(name: str, request: Request) -> Response:
    json.loads(await request.body())  # the body is read and parsed, as Passage does
    from starlette.concurrency import run_in_threadpool

    return _answer(await run_in_threadpool(replay, name))
