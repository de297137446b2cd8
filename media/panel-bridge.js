// What the ovnlab webviews (flows.js, trace.js) share: the one VS Code API handle a webview may
// acquire, its saved state, the host's messages checked and handed to one handler per type, and
// the two DOM helpers both panels draw with. Loaded before the panel's own script (both by nonce);
// it only defines `ovnlabPanelBridge`, so nothing runs until a panel script asks for it.
(function () {
  'use strict';

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  window.ovnlabPanelBridge = function connect() {
    // acquireVsCodeApi may be called once per webview: the panel script calls connect() once
    const vscode = acquireVsCodeApi();
    const post = (m) => vscode.postMessage(m);

    // an anchor that asks the host to open what it names (an NB row, a Kubernetes resource)
    function link(label, target) {
      const a = el('a', 'link', label);
      a.href = '#';
      a.addEventListener('click', (e) => {
        e.preventDefault();
        post({ type: 'open', link: target });
      });
      return a;
    }

    // handlers: { [type]: (message) => void }. Anything without a string type, or with a type
    // the panel has no handler of its own for, is ignored. Then tells the host the page is ready.
    function listen(handlers) {
      window.addEventListener('message', (ev) => {
        const m = ev.data;
        if (!m || typeof m.type !== 'string') return;
        if (!Object.prototype.hasOwnProperty.call(handlers, m.type)) return;
        handlers[m.type](m);
      });
      post({ type: 'ready' });
    }

    return {
      post,
      getState: () => vscode.getState(),
      setState: (s) => vscode.setState(s),
      el,
      link,
      listen,
    };
  };
})();
