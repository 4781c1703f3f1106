"""The caller's trusted devices (devices/): listed beside the sign-ins, revocable one by one."""

from dataclasses import dataclass

from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.errors import NotFound
from auth_api.flows.sign_ins import sign_in_current
from auth_api.models import TrustedDevice
from auth_api.tokens.devices import device_end, devices_live, trusted_device_id


@dataclass(frozen=True)
class ListedDevice:
    device: TrustedDevice
    current: bool  # the device the caller's own client holds


def devices_list(*, principal: Principal, client: ClientInfo) -> list[ListedDevice]:
    sign_in_current(principal=principal)  # a revoked sign-in's token lists nothing
    mine = trusted_device_id(client.device_token, user_id=principal.id)
    return [
        ListedDevice(device=device, current=device.pk == mine)
        for device in devices_live(user_id=principal.id)
    ]


def device_end_own(*, principal: Principal, device_id: str) -> None:
    """End the trust of one of the caller's devices. Someone else's id answers like an unknown
    one: no probing of other users' devices."""
    sign_in_current(principal=principal)
    if not device_end(user_id=principal.id, device_id=device_id):
        raise NotFound()
