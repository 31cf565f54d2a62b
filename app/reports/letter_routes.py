"""The letters as API routes: a referral's to its recipient, a detained person's to the
authority holding them. In the API they stand beside the records they are made from."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.auth.permissions import Permission
from app.cases.questionnaire import check_lang
from app.deps import ActorDep, SessionDep, require
from app.reports.manifest import ManifestFormat, manifest_file
from app.reports.non_punishment import non_punishment_letter
from app.reports.questionnaire import render_questionnaire
from app.reports.referral_letter import referral_letter as compose_referral_letter

READ_REFERRALS = require(Permission.REFERRAL_READ_OWN_ORG, Permission.REFERRAL_READ_ALL)

referral_letters = APIRouter(prefix="/api/v1", tags=["referrals"])
non_punishment_letters = APIRouter(prefix="/api/v1", tags=["non-punishment"])


@referral_letters.get("/referrals/{referral_id}/letter.pdf", dependencies=[READ_REFERRALS],
                      response_class=Response,
                      responses={200: {"content": {"application/pdf": {}}}})
def referral_letter(session: SessionDep, actor: ActorDep, referral_id: int) -> Response:
    """A one-page letter to the recipient. An anonymous referral's letter names no one."""
    pdf = compose_referral_letter(session, actor=actor, referral_id=referral_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="referral-{referral_id}.pdf"'})


@non_punishment_letters.get("/cases/{case_id}/non-punishment-letter.pdf",
                            response_class=Response,
                            dependencies=[require(Permission.NON_PUNISHMENT_LETTER)],
                            responses={200: {"content": {"application/pdf": {}}}})
def letter(session: SessionDep, actor: ActorDep, case_id: int) -> Response:
    """A one-page letter to the authority holding or charging the person: what the screening
    found, who determined what and when, and the non-punishment principle. It names the person
    only with their consent, and never carries the interview's answers or narrative (409 when
    the person is not detained or charged, or no indicators were found)."""
    pdf = non_punishment_letter(session, actor=actor, case_id=case_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="non-punishment-{case_id}.pdf"'})


questionnaires = APIRouter(prefix="/api/v1", tags=["screening"])


@questionnaires.get("/screening/questionnaire.pdf", response_class=Response,
                    dependencies=[require(Permission.INTERVIEW_WRITE)],
                    responses={200: {"content": {"application/pdf": {}}}})
def questionnaire(lang: Annotated[str, Query(max_length=20)]) -> Response:
    """The screening questionnaire on paper, for an interview where no laptop can go: the
    consent statement and every question in the caller's language with the interviewee's
    (`lang`: th, my, hi...; 422 naming `lang` for a locale Passage does not know) beneath
    it, and boxes to tick. No personal data; the answers are entered in Passage later."""
    code = check_lang(lang)
    return Response(render_questionnaire(code), media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="questionnaire-{code}.pdf"'})


manifests = APIRouter(prefix="/api/v1", tags=["repatriation"])

MEDIA_TYPES = {
    ManifestFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ManifestFormat.PDF: "application/pdf",
}


@manifests.get("/repatriation-batches/{batch_id}/manifest", response_class=Response,
               dependencies=[require(Permission.REPATRIATION_MANIFEST)],
               responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}})
def manifest(session: SessionDep, actor: ActorDep, batch_id: int,
             fmt: Annotated[ManifestFormat, Query(alias="format")] = ManifestFormat.XLSX
             ) -> Response:
    """The batch's people for the embassy: names as written and in Latin letters, sex, date
    of birth, travel document, place of origin, phone. Only those who agreed to share their
    details with the embassy; the others counted as withheld (409 for an empty batch)."""
    content, filename = manifest_file(session, actor=actor, batch_id=batch_id, fmt=fmt)
    return Response(content, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
