"""``briefgen serve``: check the bind address and the access token, then run uvicorn.

Loopback is the default. Any other address puts the workspace on a network,
so it needs ``--auth``: the access token comes from the environment variable
``BRIEFGEN_SERVE_TOKEN`` (never the command line, which other users can read).
"""
from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

from briefgen.errors import InputError, OutputError
from briefgen.web.security import Guard, allowed_hosts

TOKEN_VARIABLE = "BRIEFGEN_SERVE_TOKEN"
MIN_TOKEN = 16


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def guard_for(host: str, port: int, auth: bool, extra_hosts: tuple[str, ...] = (),
              env: dict[str, str] | None = None) -> Guard:
    """The rules for this bind, or the one-line reason it is refused."""
    env = os.environ if env is None else env
    if not is_loopback(host) and not auth:
        raise InputError(f"--host {host} would open the workspace to the network; add --auth "
                         f"and set {TOKEN_VARIABLE}, or serve on 127.0.0.1 (the default)")
    token = None
    if auth:
        token = env.get(TOKEN_VARIABLE, "")
        if len(token) < MIN_TOKEN:
            raise InputError(f"--auth needs an access token of at least {MIN_TOKEN} characters "
                             f"in the environment variable {TOKEN_VARIABLE}")
    return Guard(allowed_hosts(host, port, (*machine_names(host), *extra_hosts)), token)


def machine_names(host: str) -> tuple[str, ...]:
    """For a wildcard bind (0.0.0.0, ::), the names and addresses this machine is reached
    by; another name (a DNS alias, a proxy's) is given with --allow-host."""
    if host not in ("0.0.0.0", "::", "[::]"):
        return ()
    names = {socket.gethostname(), socket.getfqdn(), "127.0.0.1", "localhost", "::1"}
    try:
        names |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)}
    except OSError:
        pass
    return tuple(sorted(names))


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, auth: bool = False,
          extra_hosts: tuple[str, ...] = ()) -> None:
    """Run until Ctrl+C."""
    import uvicorn

    from briefgen.web.app import create_app

    app = create_app(root, guard_for(host, port, auth, extra_hosts))
    shown = f"[{host}]" if ":" in host else host
    listening = _listen(host, port, shown)
    print(f"serving {root} at http://{shown}:{port}/ (Ctrl+C to stop)", flush=True)
    config = uvicorn.Config(app, log_level="warning", server_header=False, proxy_headers=True,
                            forwarded_allow_ips="127.0.0.1")
    uvicorn.Server(config).run(sockets=[listening])


def _listen(host: str, port: int, shown: str) -> socket.socket:
    """The listening socket, or a one-line error (a port in use, an address not here)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host.strip("[]"), port))
        listening.listen(128)
    except OSError as err:
        listening.close()
        raise OutputError(f"cannot listen on {shown}:{port}: {err.strerror or err}") from None
    return listening
