"""Request and response schemas for accounts (allow-lists: one per audience)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.accounts.models import ORG_KINDS, ROLES
from marketplace.core.countries import CountryField
from marketplace.core.db import utcnow
from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import Schema, TrimmedString, UpdateSchema, non_blank
from marketplace.web.i18n import LANGUAGES


class EmailField(ma.fields.Email):
    """An email address, trimmed and lower-cased."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class WebsiteField(ma.fields.URL):
    """An http(s) address with a host name (``https://www.example.org/path``)."""

    PATTERN = r"^https?://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,6}(/[A-Za-z0-9._~/-]*)?$"

    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, require_tld=True, validate=validate.Length(max=500), **kwargs)
        self.metadata = {"format": "uri", "pattern": self.PATTERN, **self.metadata}


class NewPasswordField(ma.fields.String):
    """A password being chosen; the service checks its strength (422 naming the field)."""

    def __init__(self, **kwargs):
        super().__init__(load_only=True, **kwargs)
        self.metadata = {
            "minLength": 10, "maxLength": 256,
            "description": "At least PASSWORD_MIN_LENGTH characters (10 by default) and at most 256, with 4 different "
                           "characters or more; not a common password, nor the name of your email address",
            **self.metadata,
        }


# ---- requests -----------------------------------------------------------------------------


class OrganizationCreateSchema(Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    name = TrimmedString(required=True, validate=non_blank(200, 2))
    country = CountryField(required=True)
    website = WebsiteField(load_default=None, allow_none=True)
    description = TrimmedString(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class OrganizationUpdateSchema(UpdateSchema):
    name = TrimmedString(validate=non_blank(200, 2))
    country = CountryField()
    website = WebsiteField(allow_none=True)
    description = TrimmedString(allow_none=True, validate=validate.Length(max=5000))


class RegisterSchema(Schema):
    email = EmailField(required=True, validate=validate.Length(max=320))
    password = NewPasswordField(required=True)
    name = TrimmedString(required=True, validate=non_blank(200))
    organization = ma.fields.Nested(OrganizationCreateSchema, required=True)


class LoginSchema(Schema):
    email = EmailField(required=True)
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    remember = ma.fields.Boolean(load_default=False)


REVOKE_API_TOKENS_HELP = "Also revoke every personal API token of the account (default true)."


class ProfileSchema(Schema):
    name = TrimmedString(required=True, validate=non_blank(200))
    locale = ma.fields.String(load_default=None, allow_none=True, validate=validate.OneOf(tuple(LANGUAGES)))


class PasswordChangeSchema(Schema):
    current_password = ma.fields.String(required=True, load_only=True)
    new_password = NewPasswordField(required=True)
    revoke_api_tokens = ma.fields.Boolean(load_default=True, metadata={"description": REVOKE_API_TOKENS_HELP})


class PasswordResetRequestSchema(Schema):
    email = EmailField(required=True)


class PasswordResetConfirmSchema(Schema):
    token = ma.fields.String(required=True, validate=validate.Length(min=10, max=200))
    new_password = NewPasswordField(required=True)
    revoke_api_tokens = ma.fields.Boolean(load_default=True, metadata={"description": REVOKE_API_TOKENS_HELP})


class ApiTokenCreateSchema(Schema):
    name = TrimmedString(required=True, validate=non_blank(100))
    expires_in_days = ma.fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=730))


class InvitationCreateSchema(Schema):
    email = EmailField(required=True, validate=validate.Length(max=320))
    role = ma.fields.String(load_default="member", validate=validate.OneOf(ROLES))


class InvitationAcceptSchema(Schema):
    token = ma.fields.String(required=True, validate=validate.Length(min=10, max=200))
    name = TrimmedString(required=True, validate=non_blank(200))
    password = NewPasswordField(required=True)


class MemberUpdateSchema(Schema):
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))


class UserListArgs(PageArgs):
    q = ma.fields.String(load_default=None, validate=validate.Length(max=200))
    organization_id = ma.fields.Integer(load_default=None)
    suspended = ma.fields.Boolean(load_default=None)


class OrganizationListArgs(PageArgs):
    q = ma.fields.String(load_default=None, validate=validate.Length(max=200))
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(ORG_KINDS))
    verification_status = ma.fields.String(
        load_default=None, validate=validate.OneOf(("pending", "verified", "rejected"))
    )


# ---- responses ----------------------------------------------------------------------------


class PersonRefSchema(ma.Schema):
    """A person named in another object."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    email = ma.fields.String()


class OrganizationRefSchema(ma.Schema):
    """An organization named in another object."""

    id = ma.fields.Integer()
    kind = ma.fields.String()
    name = ma.fields.String()
    slug = ma.fields.String()
    country = ma.fields.String()


class PublicOrganizationSchema(ma.Schema):
    """What anyone may see of an organization."""

    id = ma.fields.Integer()
    kind = ma.fields.String()
    name = ma.fields.String()
    slug = ma.fields.String()
    country = ma.fields.String()
    website = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    is_verified = ma.fields.Boolean()


class OrganizationSchema(PublicOrganizationSchema):
    """What an organization's own members (and admins) see."""

    verification_status = ma.fields.String()
    verified_at = ma.fields.DateTime(allow_none=True)
    rejection_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String(allow_none=True)
    is_admin = ma.fields.Boolean()
    organization_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    last_login_at = ma.fields.DateTime(allow_none=True)


class MemberSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    is_active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class MeSchema(ma.Schema):
    user = ma.fields.Nested(UserSchema)
    organization = ma.fields.Nested(OrganizationSchema, allow_none=True)
    csrf_token = ma.fields.String(
        allow_none=True,
        metadata={"description": "Send as X-CSRF-Token on unsafe cookie-authenticated requests; "
                                 "null for Bearer-token clients, which need none"},
    )


class ApiTokenSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    prefix = ma.fields.String()
    created_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime(allow_none=True)
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)


class ApiTokenCreatedSchema(ApiTokenSchema):
    token = ma.fields.String(metadata={"description": "The secret: shown only in this response"})


class InvitationSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    role = ma.fields.String()
    status = ma.fields.Method("get_status")
    created_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime()
    invited_by = ma.fields.Nested(PersonRefSchema, allow_none=True)

    def get_status(self, invitation) -> str:
        return invitation.status(utcnow())


class AdminUserSchema(UserSchema):
    is_active = ma.fields.Boolean()
    suspended_at = ma.fields.DateTime(allow_none=True)
    suspension_reason = ma.fields.String(allow_none=True)
    organization = ma.fields.Nested(OrganizationRefSchema, allow_none=True)


class AdminOrganizationSchema(OrganizationSchema):
    member_count = ma.fields.Method("get_member_count")

    def get_member_count(self, org) -> int:
        return len(org.members)
