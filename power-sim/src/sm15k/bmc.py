"""A SeaMicro SM15000 chassis BMC for powerplug's simulator, on pyghmi's IPMI 2.0 server.

Answers the SeaMicro OEM power command (netfn 0x2E, cmd 0x01, data 00 7d ab <mode> 0 <server>;
mode 1 = on, 6 = off) and records every such request as a JSON line in the log file. Options
(argv): address port user logfile min_privilege fail_code. The password comes from the
environment (SM15K_SIM_PASSWORD), never argv. Prints "listening" once the socket is bound.
"""
import json
import os
import sys
import threading
import time

from pyghmi.ipmi import bmc

PRIVILEGES = {"CALLBACK": 1, "USER": 2, "OPERATOR": 3, "ADMINISTRATOR": 4}


class Sm15kBmc(bmc.Bmc):
    def __init__(self, authdata, address, port, log, min_priv, fail_code):
        super().__init__(authdata, port=port, address=address)
        self.log, self.min_priv, self.fail_code = log, min_priv, fail_code
        self.servers = {}

    def handle_raw_request(self, request, session):
        if request["netfn"] != 0x2E or request["command"] != 0x01:
            return super().handle_raw_request(request, session)
        data = list(request["data"])
        priv = getattr(session, "maxpriv", 0)
        with open(self.log, "a") as f:
            f.write(json.dumps({"data": data, "privilege": priv}) + "\n")
        if self.fail_code:
            return session.send_ipmi_response(code=self.fail_code)
        if priv < self.min_priv:
            return session.send_ipmi_response(code=0xD4)
        if data[:3] != [0x00, 0x7D, 0xAB]:
            return session.send_ipmi_response(code=0xC1)
        if len(data) != 6 or data[3] not in (1, 6) or data[4] != 0:
            return session.send_ipmi_response(code=0xCC)
        self.servers[data[5]] = "on" if data[3] == 1 else "off"
        return session.send_ipmi_response(data=[0x00, 0x7D, 0xAB])


def exit_with_parent():
    """Ends this process when the process that started it goes away (even if it was killed)."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main():
    threading.Thread(target=exit_with_parent, daemon=True).start()
    address, port, user, log, min_priv, fail_code = sys.argv[1:7]
    password = os.environ.get("SM15K_SIM_PASSWORD", "")
    server = Sm15kBmc({user: password}, address, int(port), log, PRIVILEGES[min_priv], int(fail_code, 0))
    print("listening", flush=True)
    server.listen()


if __name__ == "__main__":
    main()
