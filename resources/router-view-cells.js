// The WAMP sidebar's cells and drawings (loaded by nodes/wamp-router-view.html from Node-RED's
// resources/ route): plain functions of their arguments, jQuery and the DOM, no state.
(function () {
  'use strict';
  function table(headers, items, row, none) {
    if (items.length === 0) return $('<div class="wamp-rv-none">').text(none);
    var tbl = $('<table>');
    var tr = $('<tr>').appendTo($('<thead>').appendTo(tbl));
    headers.forEach(function (h) {
      var th = $('<th>').text(typeof h === 'string' ? h : h.text).appendTo(tr);
      if (h.num) th.addClass('num');
    });
    var tbody = $('<tbody>').appendTo(tbl);
    items.forEach(function (item) { tbody.append(row(item)); });
    // Wider than the card (a narrow sidebar): the table scrolls sideways inside it.
    return $('<div class="wamp-rv-scroll">').append(tbl);
  }

  /**
   * One <td> per value: a string or number, or {text, num, title, cls}. Cells never wrap:
   * what does not fit ends in an ellipsis, and the whole value shows on hover.
   */
  function cells(row, values) {
    values.forEach(function (v) {
      var td = $('<td>').appendTo(row);
      var cell = v !== null && typeof v === 'object' ? v : { text: v };
      var text = String(cell.text);
      td.text(text).attr('title', cell.title !== undefined ? cell.title : text);
      if (cell.num) td.addClass('num');
      if (cell.cls) td.addClass(cell.cls);
    });
    return row;
  }

  /** A session id (up to 16 digits) as its last 6 digits, the whole id on hover. */
  function shortId(id) {
    var s = String(id);
    return { text: s.length > 7 ? '…' + s.slice(-6) : s, title: s, cls: 'wamp-rv-id' };
  }

  /** "ws/json", "wss/cbor", "rs/msgpack", "local": the URL scheme a client would use, in text. */
  function transportText(s) {
    var scheme = s.transport === 'websocket' ? 'ws' : s.transport === 'rawsocket' ? 'rs' : s.transport;
    if (s.secure && scheme !== s.transport) scheme += 's';
    var text = scheme + (s.serializer && s.serializer !== 'none' ? '/' + s.serializer : '');
    var title = s.transport + (s.serializer && s.serializer !== 'none' ? ' / ' + s.serializer : '') +
      (s.secure ? ' (TLS)' : '');
    return { text: text, title: title };
  }

  /**
   * Rates averaged over the last few one-second samples: bursts that come every 2 s (a
   * publication, its event) draw a level line instead of a zig-zag between 0 and the peak.
   */
  var SMOOTH = 5;
  function smooth(rate) {
    return rate.map(function (_, i) {
      var from = Math.max(0, i - SMOOTH + 1);
      var sum = 0;
      for (var j = from; j <= i; j++) sum += rate[j];
      return sum / (i - from + 1);
    });
  }
  function rateText(v) {
    return v >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
  }

  function since(iso) {
    var d = new Date(iso);
    var title = d.toLocaleString();
    return { text: d.toLocaleTimeString(), title: title };
  }

  /** A 60-second sparkline of messages per second, scaled to its own maximum; `titleOf(peak)` its tooltip. */
  function sparkline(rate, titleOf) {
    var w = 90, h = 20, ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'wamp-rv-spark');
    svg.setAttribute('width', w);
    svg.setAttribute('height', h);
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    var base = document.createElementNS(ns, 'line');
    base.setAttribute('x1', 0); base.setAttribute('x2', w);
    base.setAttribute('y1', h - 0.5); base.setAttribute('y2', h - 0.5);
    svg.appendChild(base);
    var max = Math.max.apply(null, [1].concat(rate));
    var peak = rateText(max);
    if (rate.length > 1) {
      var pts = rate.map(function (v, i) {
        return (i * w / (rate.length - 1)).toFixed(1) + ',' + (h - 1 - (v / max) * (h - 3)).toFixed(1);
      });
      var line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', pts.join(' '));
      svg.appendChild(line);
    }
    var title = document.createElementNS(ns, 'title');
    title.textContent = titleOf(peak);
    svg.appendChild(title);
    return svg;
  }

  window.WampRouterViewCells = {
    table: table,
    cells: cells,
    shortId: shortId,
    transportText: transportText,
    smooth: smooth,
    rateText: rateText,
    since: since,
    sparkline: sparkline,
  };
})();
