"""Campaigns (seed 004, "Campaigns"): list, add, assign a link, update, delete."""

from likepion.auth.guards import require_api_key
from likepion.shortener import campaigns
from likepion.shortener.blueprint import bp
from likepion.shortener.envelope import list_envelope, page_data
from likepion.shortener.object_schemas import (
    CampaignCreate,
    CampaignEnvelope,
    CampaignRead,
    CampaignUpdate,
)
from likepion.shortener.schemas import ListQuery, MessageEnvelope


@bp.get("/campaigns")
@require_api_key
@bp.arguments(ListQuery, location="query")
@bp.response(200, list_envelope(CampaignRead, "campaigns"))
def list_campaigns(query, user):
    """List campaigns.

    Paginated; each with its rotator URL."""
    return page_data(campaigns.list_campaigns(user, **query), "campaigns")


@bp.post("/campaign/add")
@require_api_key
@bp.arguments(CampaignCreate)
@bp.response(200, CampaignEnvelope)
def add_campaign(data, user):
    """Create a campaign.

    A rotator slug is optional."""
    return campaigns.campaign_read(campaigns.create_campaign(user, **data), user)


@bp.post("/campaign/<id:campaign_id>/assign/<id:link_id>")
@require_api_key
@bp.response(200, MessageEnvelope)
def assign_campaign_link(user, campaign_id, link_id):
    """Add a link to a campaign.

    Both must be the caller's."""
    campaigns.assign_link(user, campaign_id, link_id)
    return {"message": "Link successfully added to the campaign."}


@bp.put("/campaign/<id:campaign_id>/update")
@require_api_key
@bp.arguments(CampaignUpdate)
@bp.response(200, CampaignEnvelope)
def update_campaign(data, user, campaign_id):
    """Change a campaign.

    Only the fields sent change."""
    return campaigns.campaign_read(campaigns.update_campaign(user, campaign_id, **data), user)


@bp.delete("/campaign/<id:campaign_id>/delete")
@require_api_key
@bp.response(200, MessageEnvelope)
def delete_campaign(user, campaign_id):
    """Delete a campaign.

    Its links stay."""
    campaigns.delete_campaign(user, campaign_id)
    return {"message": "Campaign has been deleted successfully."}
