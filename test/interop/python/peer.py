"""An Autobahn|Python (Debian's python3-autobahn) peer for the interop tests.

Usage: peer.py URL REALM SERIALIZER
Joins, calls `com.js.mul`, registers `com.py.add`, `com.py.fail` and `com.py.finish`, subscribes
`com.js.topic`, publishes `com.py.topic`, prints `READY <json>`; `com.py.finish` returns what it
received and leaves. Exits 0 after a clean leave.
"""
import asyncio
import json
import sys

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer
from autobahn.wamp.types import PublishOptions, RegisterOptions, SubscribeOptions

url, realm, serializer = sys.argv[1], sys.argv[2], sys.argv[3]
SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}


class Peer(ApplicationSession):
    async def onJoin(self, details):
        events = []

        def add(a, b):
            return a + b

        def fail():
            raise ApplicationError("com.py.error", "boom", code=7)

        def on_event(*args, **kwargs):
            events.append({"args": list(args), "kwargs": kwargs})

        def finish():
            asyncio.get_event_loop().call_later(0.05, self.leave)
            return events

        await self.register(add, "com.py.add")
        await self.register(fail, "com.py.fail")
        await self.register(finish, "com.py.finish")
        await self.subscribe(on_event, "com.js.topic")
        product = await self.call("com.js.mul", 6, 7)
        pub = await self.publish("com.py.topic", "hello from python", options=PublishOptions(acknowledge=True))
        print("READY " + json.dumps({"session": details.session, "product": product, "published": pub.id is not None}), flush=True)

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


if __name__ == "__main__":
    runner = ApplicationRunner(url, realm, serializers=[SERIALIZERS[serializer]()])
    runner.run(Peer, log_level="warn")
    print("DONE", flush=True)
