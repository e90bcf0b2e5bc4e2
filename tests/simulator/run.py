"""Run the OCP or obshell simulator from the command line until SIGTERM or SIGINT.

    python tests/simulator/run.py ocp --scenario tests/simulator/scenarios/ocp-demo.yml --port 8080
    python tests/simulator/run.py obshell --scenario FILE --port 0 --port-file /tmp/obshell.port

It prints one line, "<name> simulator listening on <url> (scenario <file>)", once it serves.
"""

import argparse
import importlib
import os
import signal
import sys
import threading

# Run as a script, this file's directory is on sys.path but its parent (tests/) is not.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SIMULATORS = {
    # subcommand: (module, class, default port)
    "ocp": ("simulator.ocp", "OcpSimulator", 8080),
    "obshell": ("simulator.obshell", "ObshellSimulator", 2886),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="simulator", required=True)
    for name, (_module, _cls, default_port) in SIMULATORS.items():
        sub = commands.add_parser(name, help="run the %s simulator" % name)
        sub.add_argument("--scenario", required=True, help="scenario file (YAML or JSON)")
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=default_port, help="0 picks a free port (default %(default)s)")
        sub.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
        sub.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
        sub.add_argument("--client-ca", help="require client certificates signed by this CA (PEM)")
        sub.add_argument("--port-file", help="write the listening port to this file")
        sub.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.client_ca and not args.tls_cert:
        parser.error("--client-ca needs --tls-cert and --tls-key")
    return args


def main(argv=None):
    args = parse_args(argv)
    from simulator.common import load_scenario

    module_name, class_name, _port = SIMULATORS[args.simulator]
    simulator_class = getattr(importlib.import_module(module_name), class_name)
    tls = None
    if args.tls_cert:
        tls = {"certfile": args.tls_cert, "keyfile": args.tls_key}
        if args.client_ca:
            tls.update(cafile=args.client_ca, require_client_cert=True)
    sim = simulator_class(load_scenario(args.scenario), host=args.host, port=args.port, tls=tls, verbose=args.verbose)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    sim.start()
    if args.port_file:
        # Write then rename, so a reader polling for the file never sees it half written.
        partial = args.port_file + ".tmp"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write("%d\n" % sim.port)
        os.replace(partial, args.port_file)
    print("%s simulator listening on %s (scenario %s)" % (args.simulator, sim.url, args.scenario), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
