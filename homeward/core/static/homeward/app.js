// No inline scripts anywhere (the Content-Security-Policy forbids them): pages mark elements
// with data- attributes and this file wires them up.

// Characters as the server counts them when a message is sent: line endings made one,
// control characters dropped, ends trimmed, each character once (an emoji is one, not two).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
function serviceLength(text) {
  const kept = text.replace(/\r\n?/g, "\n").replace(CONTROL, "").trim();
  return Array.from(kept).length;
}

// Live character counter for any <textarea data-limit="N" aria-describedby="ID">; the
// counter's data-format says it in the page's language ("{used} of {limit} characters").
document.addEventListener("DOMContentLoaded", () => {
  const language = document.documentElement.lang || "en";
  for (const area of document.querySelectorAll("textarea[data-limit]")) {
    const limit = Number(area.dataset.limit);
    const counter = document.getElementById(area.getAttribute("aria-describedby"));
    if (!counter) continue;
    const format = counter.dataset.format || "{used} of {limit} characters";
    const update = () => {
      const used = serviceLength(area.value);
      counter.textContent = format
        .replace("{used}", used.toLocaleString(language))
        .replace("{limit}", limit.toLocaleString(language));
      counter.classList.toggle("over", used > limit);
    };
    area.addEventListener("input", update);
    update();
  }
  // A form's one-time token goes into the page's address too: <input data-address-param="P">.
  // A page the browser fetches again on Back renders the token of its address, so sending
  // the restored text again repeats the first send instead of making a second one.
  for (const input of document.querySelectorAll("input[data-address-param]")) {
    const url = new URL(window.location.href);
    if (url.searchParams.get(input.dataset.addressParam) === input.value) continue;
    url.searchParams.set(input.dataset.addressParam, input.value);
    window.history.replaceState(window.history.state, "", url);
  }
});

// A form that came back with errors: focus goes to the first of them, a message about the
// whole form (role=alert) or else the first field marked invalid, so a screen reader reads
// it out (a field's error is tied to it by aria-describedby) and the keyboard starts there.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector("main [role=alert], main [aria-invalid=true]");
  if (!first) return;
  if (!first.matches("input, select, textarea, button, a[href]")) first.tabIndex = -1;
  first.focus();
});

// Ask before destructive actions: <form data-confirm="Are you sure?"> (also on content a
// page put in place after it loaded, so the listener is the document's).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (!form) return;
  // A keyboard shortcut that names its choice (B, then the reason) is its own
  // confirmation: two deliberate keys, and the decision can be undone.
  if (form.dataset.shortcutChosen === "1") return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});

// The review desk decides in place: a <form data-in-place> is sent in the background and
// the page it leads to (the next message, with the undo) replaces this one's content, so a
// decision costs one round trip and no page load; the address follows, and focus moves to
// the new heading. One at a time: keys pressed while a decision is on its way do nothing.
// Anything unexpected (signed out, a refused request, a network failure) reloads this page
// the ordinary way, which says what happened. Without script the forms post as usual.
let deciding = false;
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-in-place]");
  if (!form || event.defaultPrevented) return;
  event.preventDefault();
  if (deciding) return;
  deciding = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
    });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const main = page.getElementById("main");
    const where = new URL(response.url).pathname;
    const usual = where.startsWith("/console/review/") || where.startsWith("/console/queue/");
    if (!main || !usual || !(response.ok || response.status === 400)) {
      window.location.reload();
      return;
    }
    document.getElementById("main").replaceWith(main);
    document.title = page.title;
    if (response.redirected) window.history.pushState(null, "", response.url);
    const heading = main.querySelector("h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  } catch {
    window.location.reload();
  } finally {
    deciding = false;
  }
});

// Fetch a page fragment; null unless it is the fragment asked for (a session that ran out
// answers with a redirect to the sign-in page, which must not land inside this page).
async function fragment(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    return response.ok && !response.redirected ? await response.text() : null;
  } catch {
    return null; // offline for a moment: keep what is shown
  }
}

// Run `task` once the person has stopped typing for `ms`; only the latest answer counts.
function debounced(ms, task) {
  let timer = null;
  let latest = 0;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const ask = ++latest;
      task(() => ask === latest);
    }, ms);
  };
}

// Live results: <form data-live-result="ID"> with a textarea named "text" asks the form's
// URL for ?text=...&partial=1 as the person types, and shows the answer in element ID.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-live-result]")) {
    const target = document.getElementById(form.dataset.liveResult);
    const area = form.querySelector("textarea[name=text]");
    if (!target || !area) continue;
    area.addEventListener(
      "input",
      debounced(300, async (current) => {
        const url = new URL(form.action, window.location.href);
        url.searchParams.set("text", area.value);
        url.searchParams.set("partial", "1");
        const html = await fragment(url);
        if (html !== null && current()) target.innerHTML = html;
      }),
    );
  }
});

// Live price: <div data-price-url="URL"> inside a form with a textarea named "body" (and
// perhaps a checkbox named "prepaid_reply") is replaced by URL?characters=N as the person
// types. Only the count is sent: the text stays out of addresses and server logs, and a long
// message never makes an address too long. The server answers with escaped HTML.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-price-url]")) {
    const form = box.closest("form");
    const area = form && form.querySelector("textarea[name=body]");
    if (!area) continue;
    const prepaid = form.querySelector("input[name=prepaid_reply]");
    let asked = null;
    const refresh = debounced(300, async (current) => {
      const url = new URL(box.dataset.priceUrl, window.location.href);
      url.searchParams.set("characters", String(serviceLength(area.value)));
      if (prepaid && prepaid.checked) url.searchParams.set("prepaid_reply", "1");
      const photos = form.querySelectorAll("input[name=photo]:checked").length;
      if (photos) url.searchParams.set("photos", String(photos));
      if (url.href === asked) return; // same count, same price
      const html = await fragment(url);
      if (html !== null && current()) {
        box.innerHTML = html;
        asked = url.href;
      }
    });
    area.addEventListener("input", refresh);
    if (prepaid) prepaid.addEventListener("change", refresh);
    // Photos ticked or unticked (the list may be replaced while they are checked).
    form.addEventListener("change", (event) => {
      if (event.target.matches("input[name=photo]")) refresh();
    });
    form.addEventListener("photos-refreshed", refresh);
    // A browser that restored a draft (back button) shows the price of that draft.
    if (area.value.trim()) refresh();
  }
});

// Photos being checked: <div id="photo-choice" data-refresh-url="URL"> is replaced by what
// URL answers every two seconds until no photo in it is being checked. A photo the person
// unticked stays unticked; one that has just become ready comes ticked.
document.addEventListener("DOMContentLoaded", () => {
  const poll = async () => {
    const list = document.querySelector("#photo-choice[data-refresh-url]");
    if (!list) return;
    const url = new URL(list.dataset.refreshUrl, window.location.href);
    for (const box of list.querySelectorAll("input[name=photo]:not(:checked)")) {
      url.searchParams.append("unticked", box.value);
    }
    const html = await fragment(url);
    if (html !== null) {
      const form = list.closest("form");
      list.outerHTML = html;
      if (form) form.dispatchEvent(new Event("photos-refreshed"));
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
});

// The review desk's keyboard shortcuts, on <form data-shortcut-form="approve|block|escalate|
// next|undo">: A approves, B then a digit blocks for that reason (1-9, 0 for the tenth), E
// opens the escalation note, N leaves this message and takes the next, U undoes the last
// decision. Keys typed into a field are text, never shortcuts, and a reviewer may turn them
// off (<button data-shortcut-toggle>, remembered by this browser), as WCAG 2.1.4 asks.
document.addEventListener("DOMContentLoaded", () => {
  if (!document.querySelector("form[data-shortcut-form]")) return;
  const formFor = (name) => document.querySelector(`form[data-shortcut-form="${name}"]`);
  const STORE = "homeward.review.shortcuts";
  let on = window.localStorage.getItem(STORE) !== "off";
  const show = () => {
    document.body.classList.toggle("shortcuts-off", !on);
    for (const toggle of document.querySelectorAll("[data-shortcut-toggle]")) {
      toggle.textContent = on ? "Turn keyboard shortcuts off" : "Turn keyboard shortcuts on";
      toggle.setAttribute("aria-pressed", String(on));
    }
  };
  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-shortcut-toggle]")) return;
    on = !on;
    window.localStorage.setItem(STORE, on ? "on" : "off");
    show();
  });
  // Content put in place later carries its own toggle: show it in the current state.
  new MutationObserver(show).observe(document.body, { childList: true });
  show();
  const tell = (text) => {
    const said = document.getElementById("shortcut-status");
    if (said) said.textContent = text;
  };
  let choosingReason = false;
  document.addEventListener("keydown", (event) => {
    if (!on || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (event.target.closest("input, textarea, select, button, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    if (choosingReason) {
      choosingReason = false;
      const block = formFor("block");
      if (!block) return;
      const select = block.querySelector("select[name=reason_code]");
      const option = /^[0-9]$/.test(key) ? select.options[key === "0" ? 10 : Number(key)] : null;
      if (!option) {
        tell("Not blocked: press B, then the number of a reason.");
        return;
      }
      event.preventDefault();
      select.value = option.value;
      block.dataset.shortcutChosen = "1";
      block.requestSubmit();
      return;
    }
    const name = { a: "approve", b: "block", e: "escalate", n: "next", u: "undo" }[key];
    const form = name ? formFor(name) : null;
    if (!form) return;
    event.preventDefault();
    if (name === "block") {
      choosingReason = true;
      tell("Block: press the number of the reason.");
    } else if (name === "escalate") {
      const details = form.closest("details");
      if (details) details.open = true;
      form.querySelector("textarea").focus();
    } else {
      form.requestSubmit();
    }
  });
});

// The photo desk's keys, on <form data-photo-desk>: arrows move between photos, Space ticks
// the one in focus (as any checkbox), T ticks every photo on the page (or none), A approves
// the ticked photos, B then a digit blocks them for that reason. Only while focus is on the
// page or on a photo's tick box, and not when shortcuts are turned off on the review desk.
document.addEventListener("DOMContentLoaded", () => {
  const desk = document.querySelector("form[data-photo-desk]");
  if (!desk) return;
  const boxes = () => [...desk.querySelectorAll("input[name=photo]")];
  const tell = (text) => {
    const said = document.getElementById("photo-desk-status");
    if (said) said.textContent = text;
  };
  const decide = (decision) => {
    if (!boxes().some((box) => box.checked)) {
      tell("Tick one or more photos first.");
      return;
    }
    desk.requestSubmit(desk.querySelector(`button[name=decision][value=${decision}]`));
  };
  let choosingReason = false;
  document.addEventListener("keydown", (event) => {
    if (window.localStorage.getItem("homeward.review.shortcuts") === "off") return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    const onBox = target.matches && target.matches("input[name=photo]");
    if (!onBox && target.closest("input, textarea, select, button, a, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    if (choosingReason) {
      choosingReason = false;
      const select = desk.querySelector("select[name=reason]");
      const option = /^[1-9]$/.test(key) ? select.options[Number(key)] : null;
      if (!option) {
        tell("Not blocked: press B, then the number of a reason.");
        return;
      }
      event.preventDefault();
      select.value = option.value;
      decide("block");
      return;
    }
    const all = boxes();
    if (key === "arrowright" || key === "arrowleft") {
      const at = all.indexOf(target);
      const next = all[Math.min(Math.max(at + (key === "arrowright" ? 1 : -1), 0), all.length - 1)];
      if (next) {
        event.preventDefault();
        next.focus();
      }
    } else if (key === "t") {
      event.preventDefault();
      const tick = !all.every((box) => box.checked);
      for (const box of all) box.checked = tick;
      tell(tick ? "Every photo on this page is ticked." : "No photo is ticked.");
    } else if (key === "a") {
      event.preventDefault();
      decide("approve");
    } else if (key === "b") {
      event.preventDefault();
      choosingReason = true;
      tell("Block: press the number of the reason.");
    }
  });
});
