// Node-RED settings for `npm start`: local only, on 127.0.0.1:1880 (HOST and PORT override).
// No telemetry: without this, Node-RED 4 opens an "update notifications" question over the flow
// on the first visit, before the user has seen anything.
module.exports = {
  uiHost: process.env.HOST || '127.0.0.1',
  uiPort: Number(process.env.PORT) || 1880,
  flowFile: 'flows.json',
  credentialSecret: 'wamp-for-node-red-dev',
  httpNodeRoot: '/',
  logging: { console: { level: 'info', metrics: false, audit: false } },
  telemetry: { enabled: false, updateNotification: false },
  editorTheme: { projects: { enabled: false }, tours: false },
};
