/* global document, localStorage, location, React, ReactDOM, GraphiQL */
// Runs in the browser on /graphiql (served by src/http/graphiql.ts): renders GraphiQL against this
// service's /graphql with the settings the page carries. A file of its own, so that the page's
// Content-Security-Policy can forbid inline scripts.
(function () {
  'use strict';
  var settings = JSON.parse(document.getElementById('graphiql-settings').textContent);
  var NAMESPACE = 'graphiql:';
  // GraphiQL's history and favourites record each run's headers even with shouldPersistHeaders off,
  // which would leave API keys in localStorage. They are kept whole for this page only and saved
  // without headers; entries read back from a previous visit get the page's own headers (if any).
  var HISTORY_KEY = /^graphiql:(queries|favorites)$/;
  var thisVisit = {};

  function mapEntries(json, change) {
    try {
      var stored = JSON.parse(json);
      Object.keys(stored).forEach(function (list) {
        if (Array.isArray(stored[list])) stored[list] = stored[list].map(change);
      });
      return JSON.stringify(stored);
    } catch {
      // Unreadable: drop it rather than risk keeping a key.
      return JSON.stringify({});
    }
  }
  function withoutHeaders(entry) {
    var copy = Object.assign({}, entry);
    delete copy.headers;
    return copy;
  }
  function withPageHeaders(entry) {
    return Object.assign({ headers: settings.headers || '' }, entry);
  }

  var storage = {
    getItem: function (key) {
      if (!HISTORY_KEY.test(key)) return localStorage.getItem(key);
      if (key in thisVisit) return thisVisit[key];
      var saved = localStorage.getItem(key);
      return saved === null ? null : mapEntries(saved, withPageHeaders);
    },
    setItem: function (key, value) {
      if (HISTORY_KEY.test(key)) {
        thisVisit[key] = value;
        value = mapEntries(value, withoutHeaders);
      }
      localStorage.setItem(key, value);
    },
    removeItem: function (key) {
      delete thisVisit[key];
      localStorage.removeItem(key);
    },
    clear: function () {
      thisVisit = {};
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf(NAMESPACE) === 0) localStorage.removeItem(key);
      });
    },
    get length() {
      return Object.keys(localStorage).filter(function (key) {
        return key.indexOf(NAMESPACE) === 0;
      }).length;
    },
  };

  // Subscriptions go over WebSocket (graphql-ws, bundled in GraphiQL's own file) to the same path; GraphiQL
  // sends the headers editor's entries as the connection_init payload, so the same Authorization works.
  var subscriptionUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + settings.endpoint;
  var props = {
    fetcher: GraphiQL.createFetcher({ url: settings.endpoint, subscriptionUrl: subscriptionUrl }),
    storage: storage,
    defaultQuery: settings.defaultQuery,
    // Typed or prefilled keys stay in this tab: never written to localStorage.
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: 'headers',
  };
  if (settings.headers) {
    // `headers` fills the first tab; `defaultHeaders` every new tab.
    props.headers = settings.headers;
    props.defaultHeaders = settings.headers;
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props));
})();
