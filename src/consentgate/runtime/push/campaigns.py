"""A campaign checked against the manifest before anything is written: its purpose must be a
personalization purpose, the generic text names no personal data, and the personalized text only data
that purpose declares."""

from __future__ import annotations

from dataclasses import dataclass, replace

from consentgate.manifest.models import Channel, Manifest, PurposeKind
from consentgate.manifest.references import hint
from consentgate.runtime.errors import UnknownPurpose
from consentgate.runtime.policy import Policy, PurposePolicy
from consentgate.runtime.push.errors import InvalidCampaign
from consentgate.runtime.push.schemas import Campaign, PushContent


@dataclass(frozen=True)
class Prepared:
    """A campaign checked against the manifest: its purpose and the data its personalized text names."""

    campaign: Campaign
    purpose: PurposePolicy
    uses: frozenset[str]


def prepare(campaign: Campaign, *, manifest: Manifest, policy: Policy) -> Prepared:
    """Checks the campaign against the manifest; the campaign comes back with its purpose filled in."""
    purpose = _purpose(campaign, manifest, policy)
    generic = _placeholders(campaign, campaign.generic, "generic")
    if generic:
        raise InvalidCampaign.from_key(
            "push.generic_personal", campaign=campaign.campaign_id, data=", ".join(sorted(generic))
        )
    uses = _placeholders(campaign, campaign.personalized, "personalized")
    outside = uses - purpose.data
    if outside:
        raise InvalidCampaign.from_key(
            "push.template_data",
            campaign=campaign.campaign_id,
            data=min(outside),
            purpose=purpose.id,
            known=", ".join(sorted(purpose.data)),
        )
    return Prepared(replace(campaign, purpose=purpose.id), purpose, uses)


def _placeholders(campaign: Campaign, content: PushContent, variant: str) -> frozenset[str]:
    try:
        return content.placeholders()
    except ValueError as exc:  # an unbalanced brace
        raise InvalidCampaign.from_key(
            "push.template_invalid", campaign=campaign.campaign_id, variant=variant, problem=str(exc)
        ) from exc


def _purpose(campaign: Campaign, manifest: Manifest, policy: Policy) -> PurposePolicy:
    personalization = [p for p in manifest.purposes if p.kind is PurposeKind.PERSONALIZATION]
    known = ", ".join(p.id for p in personalization) or "—"
    if campaign.purpose is None:
        if not personalization:
            raise InvalidCampaign.from_key("push.no_personalization_purpose", campaign=campaign.campaign_id)
        on_push = [p for p in personalization if p.channel is Channel.PUSH]
        return policy.purposes[(on_push or personalization)[0].id]
    found = policy.purposes.get(campaign.purpose)
    if found is None:
        raise UnknownPurpose.from_key(
            "runtime.unknown_purpose",
            purpose=campaign.purpose,
            hint=hint(campaign.purpose, policy.purposes),
            known=", ".join(sorted(policy.purposes)),
        )
    if found.kind is not PurposeKind.PERSONALIZATION:
        raise InvalidCampaign.from_key(
            "push.not_personalization", campaign=campaign.campaign_id, purpose=found.id, known=known
        )
    return found
