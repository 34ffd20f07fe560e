"""Autobahn|Python on Twisted: WAMP-cryptosign with TLS channel binding tls-unique over RawSocket
TLS (rss://), signing with Autobahn's own code (its transport channel ID, its challenge XOR).

Usage: binding_twisted.py URL REALM AUTHID SEED CAFILE
Prints `RESULT <json>` with the WELCOME details and leaves; exits 0 after a clean leave.
"""
import binascii
import json
import sys

from autobahn.twisted.wamp import ApplicationRunner, ApplicationSession
from autobahn.wamp.cryptosign import CryptosignKey
from twisted.internet import reactor
from twisted.internet.ssl import Certificate, optionsForClientTLS

url, realm, authid, seed, cafile = sys.argv[1:6]


class Binding(ApplicationSession):
    def onConnect(self):
        self.key = CryptosignKey.from_bytes(binascii.a2b_hex(seed))
        self.join(realm, authmethods=["cryptosign"], authid=authid,
                  authextra={"pubkey": self.key.public_key(), "channel_binding": "tls-unique"})

    def onChallenge(self, challenge):
        channel_id = self._transport.transport_details.channel_id.get("tls-unique")
        return self.key.sign_challenge(challenge, channel_id=channel_id, channel_id_type="tls-unique")

    def onJoin(self, details):
        # Twisted's logging takes over sys.stdout: write to the real one.
        sys.__stdout__.write("RESULT " + json.dumps({"authid": details.authid, "authmethod": details.authmethod}) + "\n")
        sys.__stdout__.flush()
        self.leave()

    def onDisconnect(self):
        if reactor.running:
            reactor.stop()


if __name__ == "__main__":
    with open(cafile) as f:
        ca = Certificate.loadPEM(f.read())
    ApplicationRunner(url, realm, ssl=optionsForClientTLS("127.0.0.1", trustRoot=ca)).run(Binding)
