"""Who may call a view: action keyword sets shared by every viewset."""

from rest_framework.permissions import IsAuthenticated

# No credentials read at all: sign-up, sign-in, refresh (its own cookie/body check), codes.
PUBLIC = {"authentication_classes": [], "permission_classes": []}
# A valid access token (Bearer), verified without a database query.
BEARER = {"permission_classes": [IsAuthenticated]}
