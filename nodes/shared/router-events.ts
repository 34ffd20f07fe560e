// The wamp-router node's optional output: what happens in the router as messages, for
// dashboards and audit flows. Sessions join and leave (from the router), registrations and
// subscriptions are created and deleted (from each realm). The router's own sessions (the meta
// API peer) are left out, as in the router's session counts.
import type {
  Realm,
  Router,
  RouterRegistration,
  RouterSession,
  RouterSubscription,
  SessionInfo,
} from './library';
import type { NodeMessage } from './red-types';

type Listener = (session: RouterSession, item: RouterRegistration & RouterSubscription) => void;

export function sessionPayload(info: SessionInfo): Record<string, unknown> {
  return {
    id: info.id,
    realm: info.realm,
    authid: info.authid,
    authrole: info.authrole,
    authmethod: info.authmethod,
    transport: info.transport.type,
    serializer: info.transport.serializer,
    remoteAddress: info.transport.remoteAddress,
  };
}

function itemPayload(
  realm: Realm,
  session: RouterSession,
  item: RouterRegistration | RouterSubscription,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    id: item.id,
    uri: item.uri,
    match: item.match,
    realm: realm.name,
    session: session.id,
  };
  if ('invoke' in item) payload.invoke = item.invoke;
  return payload;
}

/**
 * Sends a message per router event to `emit` until the returned function is called. Realms are
 * watched from the start when configured, and from their first session when created on demand.
 */
export function watchRouter(
  router: Router,
  realmNames: string[],
  emit: (msg: NodeMessage) => void,
): () => void {
  const watched = new Map<Realm, Array<[string, Listener]>>();

  function watch(name: string): void {
    const realm = router.realm(name);
    if (!realm || watched.has(realm)) return;
    const forward =
      (topic: string): Listener =>
      (session, item) => {
        if (!session.internal) emit({ topic, payload: itemPayload(realm, session, item) });
      };
    const listeners: Array<[string, Listener]> = [
      ['registration-create', forward('registration.create')],
      ['registration-delete', forward('registration.delete')],
      ['subscription-create', forward('subscription.create')],
      ['subscription-delete', forward('subscription.delete')],
    ];
    for (const [event, l] of listeners) realm.on(event, l);
    watched.set(realm, listeners);
  }

  const onJoin = (info: SessionInfo): void => {
    watch(info.realm);
    emit({ topic: 'session.join', payload: sessionPayload(info) });
  };
  const onLeave = (info: SessionInfo): void =>
    emit({ topic: 'session.leave', payload: sessionPayload(info) });
  router.on('session-join', onJoin);
  router.on('session-leave', onLeave);
  for (const name of realmNames) watch(name);

  return () => {
    router.off('session-join', onJoin);
    router.off('session-leave', onLeave);
    for (const [realm, listeners] of watched) for (const [event, l] of listeners) realm.off(event, l);
    watched.clear();
  };
}
