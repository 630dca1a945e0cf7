"""The fetch's connections: every address a host resolves to checked before connecting (loopback,
link-local and metadata, private, reserved refused; loopback let through by NIANBAO_FETCH_ALLOW_LOCAL=1),
the connection made to the address checked (a name cannot resolve elsewhere in between), and every
read and write given no more time than the answer's deadline has left, so an answer that trickles
(in its headers or its body) ends at its deadline."""
from __future__ import annotations

import socket
import threading
import time

from pipeline.warehouse.register import address_problem

deadline = threading.local()  # the answer's deadline (time.monotonic()), per thread


def _resolve(host: str, port: int, timeout: float | None) -> list:
    """socket.getaddrinfo within `timeout` seconds, in a daemon thread (one that hangs never holds the
    process at exit)."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(host.strip("[]"))  # an address already: nothing to resolve
        return [(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_STREAM, 6, "", (str(ip), port))]
    except ValueError:
        pass
    got: dict = {}

    def work():
        try:
            got["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as e:  # handed to the caller
            got["error"] = e

    t = threading.Thread(target=work, daemon=True, name="nianbao-resolve")
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise TimeoutError(host)
    if "error" in got:
        raise got["error"]
    return got["infos"]


class Refused(Exception):
    pass


def _left() -> float | None:
    d = getattr(deadline, "value", None)
    return None if d is None else d - time.monotonic()


def _bounded(timeout: float | None) -> float | None:
    import httpcore

    left = _left()
    if left is None:
        return timeout
    if left <= 0:
        raise httpcore.ReadTimeout("deadline")
    return left if timeout is None else min(timeout, left)


def guarded_backend(allow_local: bool):
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner):
            self.inner = inner

        def read(self, max_bytes, timeout=None):
            return self.inner.read(max_bytes, _bounded(timeout))

        def write(self, buffer, timeout=None):
            return self.inner.write(buffer, _bounded(timeout))

        def close(self):
            self.inner.close()

        def start_tls(self, ssl_context, server_hostname=None, timeout=None):
            return Stream(self.inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

        def get_extra_info(self, info):
            return self.inner.get_extra_info(info)

    class Backend(httpcore.SyncBackend):
        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            # the name is resolved within the answer's deadline too (a resolver that hangs is left behind)
            try:
                infos = _resolve(host, port, _bounded(timeout))
            except TimeoutError:
                raise httpcore.ConnectTimeout(f"{host} was not resolved in time") from None
            except (socket.gaierror, UnicodeError) as e:
                raise httpcore.ConnectError(f"{host} cannot be resolved ({e})") from None
            addrs = list(dict.fromkeys(i[4][0] for i in infos))
            for a in addrs:
                why = address_problem(a, allow_local)
                if why:
                    raise Refused(f"{host} resolves to {a}, {why}; not asked")
            # connect to the address checked, not to a name that could resolve again elsewhere
            return Stream(super().connect_tcp(addrs[0], port, _bounded(timeout), local_address, socket_options))

    return Backend()
