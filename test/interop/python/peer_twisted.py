"""The peer of peer.py on Twisted (Debian's python3-twisted): Autobahn|Python's Twisted runner
speaks RawSocket (rs://host:port), where its asyncio one fails in 22.7.

Usage: peer_twisted.py URL REALM SERIALIZER
Joins, calls `com.js.mul`, registers `com.py.add`, `com.py.fail` and `com.py.finish`, subscribes
`com.js.topic`, publishes `com.py.topic`, prints `READY <json>`; `com.py.finish` returns what it
received and leaves. Exits 0 after a clean leave.
"""
import json
import sys

from autobahn.twisted.wamp import ApplicationRunner, ApplicationSession
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer
from autobahn.wamp.types import PublishOptions
from twisted.internet import reactor
from twisted.internet.defer import inlineCallbacks

url, realm, serializer = sys.argv[1], sys.argv[2], sys.argv[3]


def say(line):
    # Twisted's logging takes over sys.stdout (print goes to its log): write to the real one.
    sys.__stdout__.write(line + "\n")
    sys.__stdout__.flush()

SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}


class Peer(ApplicationSession):
    @inlineCallbacks
    def onJoin(self, details):
        events = []

        def add(a, b):
            return a + b

        def fail():
            raise ApplicationError("com.py.error", "boom", code=7)

        def on_event(*args, **kwargs):
            events.append({"args": list(args), "kwargs": kwargs})

        def finish():
            reactor.callLater(0.05, self.leave)
            return events

        yield self.register(add, "com.py.add")
        yield self.register(fail, "com.py.fail")
        yield self.register(finish, "com.py.finish")
        yield self.subscribe(on_event, "com.js.topic")
        product = yield self.call("com.js.mul", 6, 7)
        pub = yield self.publish("com.py.topic", "hello from python", options=PublishOptions(acknowledge=True))
        say("READY " + json.dumps({"session": details.session, "product": product, "published": pub.id is not None}))

    def onDisconnect(self):
        if reactor.running:
            reactor.stop()


if __name__ == "__main__":
    runner = ApplicationRunner(url, realm, serializers=[SERIALIZERS[serializer]()])
    runner.run(Peer, log_level="warn")
    say("DONE")
