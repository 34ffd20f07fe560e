// An example as a flow file (used by `npm start`): examples carry no `tab` node, as Node-RED's
// own do (Import puts them on the current tab), but a flow file without one leaves the editor to
// invent a tab id on every load, and its Debug sidebar then fails on every message. So the nodes
// get the tab their `z` names, labelled from the example's first comment.

/** `nodes` with a tab for their `z` in front; the same array when there is nothing to add. */
function onATab(nodes, fallbackLabel) {
  if (nodes.some((n) => n.type === 'tab')) return nodes;
  const z = nodes.find((n) => n.z)?.z;
  if (!z) return nodes;
  const comment = nodes.find((n) => n.type === 'comment' && n.z === z);
  const label = (comment?.name || fallbackLabel).split(':')[0].trim();
  return [{ id: z, type: 'tab', label, disabled: false, info: comment?.info ?? '' }, ...nodes];
}

module.exports = { onATab };
