"""The embassy manifest: XLSX and PDF, names in Thai, Burmese, Chinese and Devanagari as
written; only the people who agreed to share with the embassy, the others counted as
withheld; nothing of the case; every download audited; no one the safeguard holds back."""

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.auth.models import Organization
from tests import factories
from tests.referrals.helpers import events

V1 = "/api/v1"
NAMES = [("Maria José", "Santos", "P0000001"), ("สมชาย", "แก้วมณี", "P0000002"),
         ("王小明", "李", "P0000003"), ("अनन्या", "राव", "P0000004"),
         ("အောင်", "ကျော်", "P0000005")]


def _squeezed(text: str) -> str:
    return "".join(text.replace("\x00", " ").split())


def _poppler_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils is missing: apt-get install poppler-utils (scripts/setup)")
    source = tmp_path / "manifest.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


@pytest.fixture
def batch_world(session, coordinator, login_as):
    """A batch of five who share with the embassy, one who does not, and one forced in with
    a fear of return no assessment cleared."""
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    org = session.get(Organization, caseworker.user.organization_id)
    batch = factories.make_batch(session, created_by=coordinator.user)
    made = {}

    def add(given, family, document, **fields):
        person = factories.make_person(session, organization=org, given_name=given,
                                       family_name=family, document_number=document,
                                       phone="+66 81 000 0000", sex="female")
        case = factories.make_case(session, person=person, organization=org)
        made[given] = factories.make_repatriation(session, case=case,
                                                  created_by=caseworker.user,
                                                  stage="documents_ready", batch_id=batch.id,
                                                  **fields)

    for given, family, document in NAMES:
        add(given, family, document, place_of_origin="Home district")
    # the Latin forms on the person's record when the repatriation has none of its own
    person = factories.make_person(session, organization=org, given_name="ဇော်မင်းထွန်း",
                                   given_name_latin="Zaw Min Tun", document_number="P0000006")
    factories.make_repatriation(session, case=factories.make_case(
        session, person=person, organization=org), created_by=caseworker.user,
        stage="documents_ready", batch_id=batch.id, place_of_origin="Home district")
    add("Withheld", "Person", "SECRET-DOC-1", consent_to_share_with_embassy="no")
    add("Fearful", "Person", "SECRET-DOC-2", fear_of_return="yes")
    session.commit()
    return batch, made


def _get(client, headers, batch_id, fmt):
    return client.get(f"{V1}/repatriation-batches/{batch_id}/manifest",
                      headers=headers, params={"format": fmt})


def test_xlsx_manifest_parses_back_with_every_name(client, session, coordinator,
                                                   batch_world):
    batch, _ = batch_world
    response = _get(client, coordinator.headers, batch.id, "xlsx")
    assert response.status_code == 200, response.text
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Manifest"].iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "Given name (as written)", "Family name (as written)")
    named = {(r[1], r[2]) for r in rows[1:]}
    assert named == {(g, f) for g, f, _ in NAMES} | {("ဇော်မင်းထွန်း", "Family")}
    latin = {r[1]: r[3] for r in rows[1:]}
    assert (latin["Maria José"], latin["ဇော်မင်းထွန်း"], latin["สมชาย"]) == (
        "Maria José Santos", "Zaw Min Tun", None)
    notes = " ".join(str(c.value) for c in workbook["Notes"]["A"])
    assert "Withheld: 1" in notes
    everything = " ".join(str(v) for r in rows for v in r) + notes
    for secret in ("Withheld", "SECRET-DOC-1", "Fearful", "SECRET-DOC-2"):
        assert secret not in everything.replace("Withheld: 1", "")
    [event] = events(session, action="repatriation_batch.manifest")
    assert event.detail == {"format": "xlsx", "named": 6, "withheld": 1}


def test_pdf_manifest_names_extract_as_text(client, session, coordinator, batch_world,
                                            tmp_path):
    batch, _ = batch_world
    response = _get(client, coordinator.headers, batch.id, "pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = _squeezed("".join(page.extract_text() for page in reader.pages))
    poppler = _poppler_text(response.content, tmp_path)
    for given, family, document in NAMES[:4]:  # Latin, Thai, Chinese, Devanagari
        assert _squeezed(given) in text and _squeezed(family) in text
        assert given in poppler and family in poppler
        assert document in poppler
    for secret in ("SECRET-DOC-1", "SECRET-DOC-2", "Fearful"):
        assert secret not in poppler
    assert "Withheld: 1" in poppler
    assert events(session, action="repatriation_batch.manifest")[0].detail["format"] == "pdf"


def test_nothing_of_the_case_is_on_the_manifest(client, coordinator, batch_world, tmp_path):
    batch, made = batch_world
    response = _get(client, coordinator.headers, batch.id, "pdf")
    text = _poppler_text(response.content, tmp_path)
    for word in ("trafficking", "screening", "determination", "interview", "PSG-"):
        assert word.lower() not in text.lower()


def test_a_long_manifest_runs_over_pages(client, session, coordinator, login_as):
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    org = session.get(Organization, caseworker.user.organization_id)
    batch = factories.make_batch(session, created_by=coordinator.user)
    for n in range(60):
        person = factories.make_person(session, organization=org, given_name=f"Traveller{n}",
                                       document_number=f"P{n:07d}")
        case = factories.make_case(session, person=person, organization=org)
        factories.make_repatriation(session, case=case, created_by=caseworker.user,
                                    stage="documents_ready", batch_id=batch.id)
    session.commit()
    response = _get(client, coordinator.headers, batch.id, "pdf")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(f"P{n:07d}" in text for n in range(60))


def test_an_empty_batch_has_no_manifest(client, session, coordinator):
    batch = factories.make_batch(session, created_by=coordinator.user)
    session.commit()
    for fmt in ("xlsx", "pdf"):
        response = _get(client, coordinator.headers, batch.id, fmt)
        assert response.status_code == 409 and "no one" in response.json()["detail"]
    assert _get(client, coordinator.headers, batch.id, "doc").status_code == 422


@pytest.mark.parametrize("role", ["caseworker", "border_official", "admin"])
def test_only_coordinators_download_manifests(client, session, login_as, batch_world, role):
    batch, _ = batch_world
    other = login_as(role, organization=f"{role} office")
    assert _get(client, other.headers, batch.id, "xlsx").status_code == 403
    assert events(session, actor_id=other.user.id, outcome="denied")
