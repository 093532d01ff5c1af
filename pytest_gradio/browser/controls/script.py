"""The id classes that tell which element is which component, and the init
script that puts them in the page's configs and outputs (`LIVE_CONFIG_JS`)."""

from __future__ import annotations

# Which element on the page is which component of the config. Gradio draws no
# component id into the page, and a component's label, position or kind does not say
# it either (tabs draw their children lazily, two components may share a label, a
# label may be translated). So, before Gradio's frontend reads its config, each
# component gets one more CSS class, `pytest-gradio-id-<id>`, which Gradio draws on
# the component's root element: an exact, lazily drawn handle per config id. The
# same is done to the components that `gr.render` makes later (they arrive in a job's
# `render_config`, parsed by `JSON.parse` or `Response.json`), and those render
# configs are kept (`renders`, by render id) as the page's live component tree.
#
# An event's output may carry `elem_classes` too: a returned `gr.Textbox(...)` or
# `gr.update(elem_classes=...)`, and every Examples click (gradio sends each input's
# whole constructor props back). Gradio's frontend replaces the prop with it, which
# would drop the id class and lose the element. So each output is given its id class
# back before the frontend sees it: the page's requests say which dependency
# (`fn_index`) a response or a queue event (`event_id`) answers, and the dependency's
# `outputs` say which component each output value is for.
ID_CLASS = "pytest-gradio-id-"

LIVE_CONFIG_JS = r"""
(() => {
  if (window.__pytestGradioLive) return;
  const live = { renders: {}, order: 0 };
  window.__pytestGradioLive = live;
  const PREFIX = "%PREFIX%";
  const SKIP = new Set(["state", "browserstate"]);
  const outputs = {};  // dependency id -> the component ids of its outputs
  const events = {};   // queue event id -> dependency id
  const withMine = (classes, id) => {
    if (typeof classes === "string") classes = [classes];
    if (!Array.isArray(classes)) classes = [];
    const mine = PREFIX + id;
    return classes.includes(mine) ? classes : [...classes, mine];
  };
  const tag = (config) => {
    if (!config || !Array.isArray(config.components)) return;
    for (const c of config.components) {
      if (!c || c.id === undefined || SKIP.has(c.type)) continue;
      const props = c.props || (c.props = {});
      props.elem_classes = withMine(props.elem_classes, c.id);
    }
    for (const d of config.dependencies || []) {
      if (d && d.id !== undefined && Array.isArray(d.outputs)) outputs[String(d.id)] = d.outputs;
    }
  };
  const isUpdate = (v) => !!v && typeof v === "object" && !Array.isArray(v)
    && v.__type__ === "update";
  // Give each output that sets `elem_classes` its component's id class back.
  const keep = (dep, data, diffs) => {
    const ids = outputs[String(dep)];
    if (!ids || !Array.isArray(data)) return;
    data.forEach((value, i) => {
      const id = ids[i];
      if (id === undefined) return;
      if (isUpdate(value) && "elem_classes" in value) {
        value.elem_classes = withMine(value.elem_classes, id);
      } else if (diffs && Array.isArray(value)) {
        // A generator's later yields come as edits of the previous value.
        for (const op of value) {
          if (!Array.isArray(op) || !Array.isArray(op[1])) continue;
          if (op[1].length === 0 && isUpdate(op[2]) && "elem_classes" in op[2]) {
            op[2].elem_classes = withMine(op[2].elem_classes, id);
          } else if (op[1].length === 1 && op[1][0] === "elem_classes") {
            op[2] = withMine(op[2], id);
          }
        }
      }
    });
  };
  const seen = (obj) => {
    try {
      if (!obj || typeof obj !== "object") return;
      const render = obj.render_config || (obj.output && obj.output.render_config);
      if (render && Array.isArray(render.components)) {
        tag(render);
        live.renders[String(render.render_id)] = {
          order: ++live.order, components: render.components };
      }
      const dep = events[String(obj.event_id)];
      if (dep !== undefined && obj.output && Array.isArray(obj.output.data)) {
        keep(dep, obj.output.data, obj.msg === "process_generating");
      }
    } catch (e) { /* never break the app's own parsing */ }
  };
  let config;
  Object.defineProperty(window, "gradio_config", {
    configurable: true, enumerable: true,
    get() { return config; },
    set(value) { try { tag(value); } catch (e) {} config = value; },
  });
  const parse = JSON.parse;
  JSON.parse = function (text, reviver) {
    const obj = parse.call(this, text, reviver);
    if (typeof text === "string" && (text.includes("render_config")
        || (text.includes("event_id") && text.includes("elem_classes")))) seen(obj);
    return obj;
  };
  // Which dependency each of the page's calls is for: queue/join answers with the
  // event id of its queue messages, run/<api name> (queue=False) with the outputs.
  const calls = new WeakMap();
  const fetch = window.fetch;
  window.fetch = function (input, init) {
    const result = fetch.apply(window, arguments);
    try {
      const url = String(input && input.url ? input.url : input);
      if (/\/(queue\/join|run\/)/.test(url) && init && typeof init.body === "string") {
        const dep = parse(init.body).fn_index;
        if (dep !== undefined) {
          return result.then((response) => { calls.set(response, dep); return response; });
        }
      }
    } catch (e) { /* not a call of the app's */ }
    return result;
  };
  const json = Response.prototype.json;
  Response.prototype.json = async function () {
    const obj = await json.call(this);
    seen(obj);
    try {
      const dep = calls.get(this);
      if (dep !== undefined && obj && typeof obj === "object") {
        if (obj.event_id !== undefined) events[String(obj.event_id)] = dep;
        keep(dep, obj.data, false);
      }
    } catch (e) { /* never break the app's own parsing */ }
    return obj;
  };
})();
""".replace("%PREFIX%", ID_CLASS)
