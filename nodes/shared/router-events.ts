// The wamp-router node's optional output: what happens in the router as messages, for
// dashboards and audit flows. Sessions join and leave, registrations and subscriptions are
// created and deleted: the router's own events (which leave out its internal sessions, the meta
// API peers, as its session counts do), each turned into a message.
import type { RegistrationEvent, Router, SessionInfo, SubscriptionEvent } from './library';
import type { NodeMessage } from './red-types';

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

function registrationPayload({
  realm,
  session,
  registration: r,
}: RegistrationEvent): Record<string, unknown> {
  return { id: r.id, uri: r.uri, match: r.match, realm, session, invoke: r.invoke };
}

function subscriptionPayload({
  realm,
  session,
  subscription: s,
}: SubscriptionEvent): Record<string, unknown> {
  return { id: s.id, uri: s.uri, match: s.match, realm, session };
}

/** Sends a message per router event to `emit` until the returned function is called. */
export function watchRouter(router: Router, emit: (msg: NodeMessage) => void): () => void {
  const onJoin = (info: SessionInfo): void => emit({ topic: 'session.join', payload: sessionPayload(info) });
  const onLeave = (info: SessionInfo): void =>
    emit({ topic: 'session.leave', payload: sessionPayload(info) });
  const registration =
    (topic: string) =>
    (e: RegistrationEvent): void =>
      emit({ topic, payload: registrationPayload(e) });
  const subscription =
    (topic: string) =>
    (e: SubscriptionEvent): void =>
      emit({ topic, payload: subscriptionPayload(e) });
  const onRegCreate = registration('registration.create');
  const onRegDelete = registration('registration.delete');
  const onSubCreate = subscription('subscription.create');
  const onSubDelete = subscription('subscription.delete');

  router.on('session-join', onJoin);
  router.on('session-leave', onLeave);
  router.on('registration-create', onRegCreate);
  router.on('registration-delete', onRegDelete);
  router.on('subscription-create', onSubCreate);
  router.on('subscription-delete', onSubDelete);
  return () => {
    router.off('session-join', onJoin);
    router.off('session-leave', onLeave);
    router.off('registration-create', onRegCreate);
    router.off('registration-delete', onRegDelete);
    router.off('subscription-create', onSubCreate);
    router.off('subscription-delete', onSubDelete);
  };
}
