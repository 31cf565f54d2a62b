from typing import Annotated

from app.deps import visible_in_path
from app.referrals.models import Referral

# the referral of the path, read: 404 when it is not there or not the caller's to see
CurrentReferral = Annotated[Referral, visible_in_path(Referral, "referral_id",
                                                      action="referral.read")]
