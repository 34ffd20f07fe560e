"""Autobahn|Python (Debian's python3-autobahn) exercising the router's advanced profile.

Usage:
  advanced.py history URL REALM TOPIC
      Looks the topic's subscription up, calls wamp.subscription.get_events Crossbar's way
      (subscription, limit) and the spec's way (limit, reverse as keywords), prints
      `RESULT <json>` and leaves.
  advanced.py binding URL REALM AUTHID SEED CAFILE
      Joins over wss:// with WAMP-cryptosign and TLS channel binding tls-unique, signing with
      Autobahn's own code (its transport channel ID, its challenge XOR), prints `RESULT <json>`
      with the WELCOME details and leaves.
Exits 0 after a clean leave.
"""
import asyncio
import binascii
import json
import ssl
import sys

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession
from autobahn.wamp.cryptosign import CryptosignKey

mode, url, realm = sys.argv[1], sys.argv[2], sys.argv[3]


def done(session, result):
    print("RESULT " + json.dumps(result), flush=True)
    session.leave()


class History(ApplicationSession):
    async def onJoin(self, details):
        topic = sys.argv[4]
        sub = await self.call("wamp.subscription.lookup", topic)
        newest = await self.call("wamp.subscription.get_events", sub, 2)
        oldest = await self.call("wamp.subscription.get_events", sub, limit=2)
        done(self, {"subscription": sub, "crossbar": newest, "spec": oldest})

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


class Binding(ApplicationSession):
    def onConnect(self):
        self.key = CryptosignKey.from_bytes(binascii.a2b_hex(sys.argv[5]))
        self.join(realm, authmethods=["cryptosign"], authid=sys.argv[4],
                  authextra={"pubkey": self.key.public_key(), "channel_binding": "tls-unique"})

    def onChallenge(self, challenge):
        channel_id = self._transport.transport_details.channel_id.get("tls-unique")
        return self.key.sign_challenge(challenge, channel_id=channel_id, channel_id_type="tls-unique")

    async def onJoin(self, details):
        done(self, {"authid": details.authid, "authmethod": details.authmethod,
                    "tls": self._transport.transport_details.is_secure})

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


if __name__ == "__main__":
    if mode == "history":
        ApplicationRunner(url, realm).run(History, log_level="warn")
    else:
        context = ssl.create_default_context(cafile=sys.argv[6])
        ApplicationRunner(url, realm, ssl=context).run(Binding, log_level="warn")
    print("DONE", flush=True)
