"""Enumerations shared by the backlink and worker APIs."""

from enum import StrEnum


class ServiceType(StrEnum):
    ENTITY = "entity"
    SOCIAL = "social"
    BLOG20 = "blog20"
    PODCAST = "podcast"
    STACKING = "stacking"
    INDEXING = "indexing"


class SiteRole(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
