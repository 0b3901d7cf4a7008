"""Sign-in with the company's identity provider (OpenID Connect), through mozilla-django-oidc.

The library does the authorization code flow: a fresh state, nonce and PKCE verifier (S256) per attempt,
kept in the session and used once; the token request; the ID token's signature against the provider's
published keys and its nonce; the userinfo request; and, in its SessionRefresh middleware, asking the
provider again (prompt=none) every OIDC_RECHECK_SECONDS, which signs out whoever the provider no longer
knows. This module fits it to Lifeline:

- it is configured from the issuer alone: the endpoints come from the provider's discovery document,
  fetched when first needed and kept in the cache for an hour (`provider_metadata`);
- it checks what the library leaves out of the ID token: the issuer, the audience (and `azp`), the expiry
  and the time of issue, and that the userinfo answer is about the same `sub`;
- only a verified email (`email_verified` true) at an allowed domain signs in; the person is found by it,
  or created, and their name, team, language, time zone and role come from the claims (`user_from_claims`);
- every refusal is a `SignInRefused` with a reason that portal/signin.py shows on a page; it is raised before
  anything is written, and as it is not a PermissionDenied, django-axes counts nothing (wrong passwords only).

Nothing here reaches the network until someone signs in with the provider: Django builds a backend for
every request's get_user(), so the library's endpoint settings are read lazily.
"""

import logging
import time
import zoneinfo

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.db.models import Q
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from .models import Team

logger = logging.getLogger(__name__)

DISCOVERY_MAX_AGE = 60 * 60
# Clocks differ a little between the provider and us.
LEEWAY_SECONDS = 60
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class SignInRefused(Exception):
    """A sign-in through the provider that must not go on; `reason` is one of the REASONS."""

    INVALID = "invalid"  # state, signature, issuer, audience, nonce, PKCE: the answer cannot be trusted
    EXPIRED = "expired"  # the ID token is out of date
    PROVIDER = "provider"  # the provider said no (cancelled, or the person is not signed in there any more)
    UNAVAILABLE = "unavailable"  # the provider could not be reached
    NO_EMAIL = "no_email"
    UNVERIFIED = "unverified"
    DOMAIN = "domain"
    UNKNOWN = "unknown"  # no such person here, and OIDC_CREATE_USERS is off
    INACTIVE = "inactive"  # switched off in Lifeline

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def enabled():
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def provider_metadata():
    """The provider's discovery document (OpenID Connect Discovery 1.0), kept for an hour.

    Its `issuer` must be the one configured (a trailing slash aside), or nothing it says is used.
    """
    issuer = settings.OIDC_ISSUER
    key = f"oidc:discovery:{issuer}"
    metadata = cache.get(key)
    if metadata is None:
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            metadata = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise SignInRefused(SignInRefused.UNAVAILABLE, f"discovery at {url}: {exc}") from exc
        if str(metadata.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
            raise SignInRefused(SignInRefused.UNAVAILABLE, f"{url} names another issuer: {metadata.get('issuer')!r}")
        cache.set(key, metadata, DISCOVERY_MAX_AGE)
    return metadata


def get_settings(attr, *args):
    """mozilla-django-oidc's settings, with the provider's endpoints from its discovery document."""
    if attr in ENDPOINTS:
        return provider_metadata()[ENDPOINTS[attr]]
    return import_from_settings(attr, *args)


def setting(name):
    return property(lambda self: get_settings(name, None))


def _claim_values(value):
    """A claim holding one or several values: a list, or a string split on spaces and commas."""
    if isinstance(value, (list, tuple)):
        return {str(item) for item in value}
    if isinstance(value, str):
        return set(value.replace(",", " ").split())
    return set()


def _name_from(claims):
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return str(name).strip()[:150]


def _language_from(claims):
    """`locale` is a BCP 47 tag ("ar-EG", "en_US"): its language, if the portal speaks it."""
    language = str(claims.get("locale") or "").replace("_", "-").split("-")[0].lower()
    return language if language in dict(settings.LANGUAGES) else None


def _time_zone_from(claims):
    name = str(claims.get("zoneinfo") or "")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name if "/" in name or name == "UTC" else None


def _team_from(claims):
    value = claims.get(settings.OIDC_TEAM_CLAIM) if settings.OIDC_TEAM_CLAIM else None
    if not value or not isinstance(value, str):
        return None
    return Team.objects.filter(Q(name__iexact=value) | Q(slug__iexact=value)).first()


def check_email(claims):
    """The verified email the claims vouch for, lower-cased; SignInRefused otherwise."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email:
        raise SignInRefused(SignInRefused.NO_EMAIL)
    # A boolean by the standard; some providers send the string "true".
    if claims.get("email_verified") not in (True, "true"):
        raise SignInRefused(SignInRefused.UNVERIFIED, email)
    domains = settings.OIDC_ALLOWED_EMAIL_DOMAINS
    if domains and email.rpartition("@")[2] not in domains:
        raise SignInRefused(SignInRefused.DOMAIN, email)
    return email


def user_from_claims(claims):
    """The person these claims are about: found by their verified email, or created (OIDC_CREATE_USERS).

    Name and team follow the claims at every sign-in when the claims carry them (the company's directory is
    the source); language and time zone only fill in a new person (each person may change their own); with
    OIDC_ROLES_CLAIM set, the provider decides at every sign-in who is a leader and who an admin.
    """
    email = check_email(claims)
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None and not user.is_active:
            raise SignInRefused(SignInRefused.INACTIVE, email)
        if user is None and not settings.OIDC_CREATE_USER:
            raise SignInRefused(SignInRefused.UNKNOWN, email)
        changed = []
        if user is None:
            user = User(email=email, name=email.partition("@")[0])
            user.set_unusable_password()
            user.language = _language_from(claims) or user.language
            user.time_zone = _time_zone_from(claims) or user.time_zone
        if name := _name_from(claims):
            user.name = name
            changed.append("name")
        if team := _team_from(claims):
            user.team = team
            changed.append("team")
        if settings.OIDC_ROLES_CLAIM:
            values = _claim_values(claims.get(settings.OIDC_ROLES_CLAIM))
            if values & set(settings.OIDC_LEADER_ROLES):
                user.role = User.Role.LEADER
            elif user.role == User.Role.LEADER:
                user.role = User.Role.STAFF
            # An admin of the portal is both (portal.permissions, and every model in Django's admin).
            user.is_staff = user.is_superuser = bool(values & set(settings.OIDC_ADMIN_ROLES))
            changed += ["role", "is_staff", "is_superuser"]
        if user.pk is None:
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:  # the same person's first sign-in in another tab was quicker
                return User.objects.get(email__iexact=email)
            logger.info("Company sign-in: created %s", email)
        elif changed:
            user.save(update_fields=changed)
    return user


class CompanySignInBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, fed by discovery, with the ID token checks it leaves to us."""

    get_settings = staticmethod(get_settings)
    OIDC_OP_TOKEN_ENDPOINT = setting("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = setting("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = setting("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = setting("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = setting("OIDC_RP_SIGN_ALGO")
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs):
        # The library's __init__ reads the endpoints; they are read above when a sign-in needs them.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        """Only the callback's call (it passes the nonce) gets here; a password sign-in is not ours."""
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SignInRefused:
            raise
        except jwt.ExpiredSignatureError as exc:
            raise SignInRefused(SignInRefused.EXPIRED, str(exc)) from exc
        except (SuspiciousOperation, jwt.InvalidTokenError) as exc:
            raise SignInRefused(SignInRefused.INVALID, str(exc)) from exc
        except requests.HTTPError as exc:
            # The token endpoint refused the code (used twice, or the PKCE verifier does not match).
            raise SignInRefused(SignInRefused.INVALID, str(exc)) from exc
        except (requests.RequestException, ValueError) as exc:
            raise SignInRefused(SignInRefused.UNAVAILABLE, str(exc)) from exc

    def retrieve_matching_jwk(self, token):
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        # A provider with a single signing key may leave `kid` out (OpenID Connect Core 10.1); the
        # library would fail on it with a KeyError.
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SignInRefused(SignInRefused.INVALID, "no kid, and not one signing key")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        # Only the algorithm agreed with the provider; never `none` (nor a key used with another one).
        if jwt.get_unverified_header(token).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused(SignInRefused.INVALID, "unexpected alg")
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (the library also calls this for a signed userinfo answer)
            self.check_id_token(payload)
        return payload

    def check_id_token(self, payload):
        """OpenID Connect Core 3.1.3.7: issuer, audience, authorized party, expiry, time of issue."""
        client_id = self.OIDC_RP_CLIENT_ID
        if payload.get("iss") != provider_metadata()["issuer"]:
            raise SignInRefused(SignInRefused.INVALID, f"issuer {payload.get('iss')!r}")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if client_id not in audiences:
            raise SignInRefused(SignInRefused.INVALID, f"audience {audience!r}")
        if len(audiences) > 1 and payload.get("azp") != client_id:
            raise SignInRefused(SignInRefused.INVALID, f"authorized party {payload.get('azp')!r}")
        now = time.time()
        if not isinstance(payload.get("exp"), (int, float)) or payload["exp"] < now - LEEWAY_SECONDS:
            raise SignInRefused(SignInRefused.EXPIRED, f"exp {payload.get('exp')!r}")
        if not isinstance(payload.get("iat"), (int, float)) or payload["iat"] > now + LEEWAY_SECONDS:
            raise SignInRefused(SignInRefused.INVALID, f"iat {payload.get('iat')!r}")
        if not payload.get("sub"):
            raise SignInRefused(SignInRefused.INVALID, "no sub")

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo answer over the ID token's claims; both must be about the same `sub`."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SignInRefused(SignInRefused.INVALID, "userinfo is about another sub")
        return {**payload, **userinfo}

    def get_user(self, user_id):
        # The library's get_user() skips the check ModelBackend makes: a person switched off in the
        # admin is signed out at their next request, however they signed in.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def get_or_create_user(self, access_token, id_token, payload):
        return user_from_claims(self.get_userinfo(access_token, id_token, payload))
