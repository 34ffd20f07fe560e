// The wamp-router dialog's roles editor (loaded by nodes/wamp-router.html from Node-RED's
// resources/ route): one editableList item per role, with rows of URI pattern, match and actions.
(function () {
  'use strict';
  var ACTIONS = ['call', 'register', 'publish', 'subscribe'];

  /**
   * The roles editor: one item per role (its name, the realm it applies to, blank for all),
   * each with rows of URI pattern, match and the actions it allows. The node keeps the roles
   * as JSON text (what the runtime reads); "JSON" opens the whole list as JSON, for copying
   * a large configuration in or out.
   */
  function roleEditor(node, list) {
      function addPermission(box, p) {
          var row = $('<div class="wamp-role-perm">').appendTo(box);
          $('<input type="text" class="wamp-perm-uri">').attr('placeholder', node._('wamp-router.roleEditor.uri')).val(p.uri || '').appendTo(row);
          var match = $('<select class="wamp-perm-match">').appendTo(row);
          ['exact', 'prefix', 'wildcard'].forEach(function (m) { $('<option>').val(m).text(m).appendTo(match); });
          match.val(p.match || 'exact');
          ACTIONS.forEach(function (a) {
              var cb = $('<input type="checkbox">').addClass('wamp-perm-' + a).prop('checked', p[a] === true);
              $('<label>').append(cb, $('<span>').text(a)).appendTo(row);
          });
          $('<button type="button" class="red-ui-button red-ui-button-small wamp-perm-remove"><i class="fa fa-times"></i></button>')
              .attr('title', node._('wamp-router.roleEditor.removePermission'))
              .on('click', function () { row.remove(); })
              .appendTo(row);
      }

      list.editableList({
          addItem: function (row, index, data) {
              var head = $('<div class="wamp-role-head">').appendTo(row);
              $('<i class="fa fa-id-badge">').appendTo(head);
              $('<input type="text" class="wamp-role-name">').attr('placeholder', node._('wamp-router.label.role')).val(data.name || '').appendTo(head);
              $('<input type="text" class="wamp-role-realm">').attr('placeholder', node._('wamp-router.roleEditor.allRealms'))
                  .attr('title', node._('wamp-router.roleEditor.realmTitle')).val(data.realm || '').appendTo(head);
              var perms = $('<div class="wamp-role-perms">').appendTo(row);
              (data.permissions || []).forEach(function (p) { addPermission(perms, p); });
              if (!data.permissions) addPermission(perms, { match: 'prefix' });
              $('<button type="button" class="red-ui-button red-ui-button-small wamp-perm-add"><i class="fa fa-plus"></i> </button>')
                  .append($('<span>').text(node._('wamp-router.roleEditor.addPermission')))
                  .on('click', function () { addPermission(perms, { match: 'prefix' }); })
                  .appendTo($('<div class="wamp-role-add">').appendTo(row));
          },
          removable: true,
          sortable: true,
          height: 'auto',
          addButton: node._('wamp-router.roleEditor.addRole')
      });
      list.parent().attr('data-empty', node._('wamp-router.roleEditor.noRoles'));

      function read() {
          var roles = [];
          list.editableList('items').each(function () {
              var item = $(this);
              var name = item.find('.wamp-role-name').val().trim();
              if (!name) return;
              var role = { name: name, permissions: [] };
              var realm = item.find('.wamp-role-realm').val().trim();
              if (realm) role.realm = realm;
              item.find('.wamp-role-perm').each(function () {
                  var row = $(this);
                  var uri = row.find('.wamp-perm-uri').val().trim();
                  var match = row.find('.wamp-perm-match').val();
                  if (!uri && match !== 'prefix') return;
                  var p = { uri: uri, match: match };
                  ACTIONS.forEach(function (a) { p[a] = row.find('.wamp-perm-' + a).is(':checked'); });
                  role.permissions.push(p);
              });
              roles.push(role);
          });
          return roles;
      }

      function load(roles) {
          list.editableList('empty');
          roles.forEach(function (r) { list.editableList('addItem', r); });
      }

      return { read: read, load: load };
  }

  window.WampRolesEditor = roleEditor;
})();
