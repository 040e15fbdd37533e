// No inline scripts anywhere (the Content-Security-Policy forbids them): pages mark elements
// with data- attributes and this file wires them up.

// Characters as the server counts them when a message is sent: line endings made one,
// control characters dropped, ends trimmed, each character once (an emoji is one, not two).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
function serviceLength(text) {
  const kept = text.replace(/\r\n?/g, "\n").replace(CONTROL, "").trim();
  return Array.from(kept).length;
}

// Live character counter for any <textarea data-limit="N" aria-describedby="ID">.
document.addEventListener("DOMContentLoaded", () => {
  for (const area of document.querySelectorAll("textarea[data-limit]")) {
    const limit = Number(area.dataset.limit);
    const counter = document.getElementById(area.getAttribute("aria-describedby"));
    if (!counter) continue;
    const update = () => {
      const used = serviceLength(area.value);
      counter.textContent = `${used.toLocaleString()} of ${limit.toLocaleString()} characters`;
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
  // Ask before destructive actions: <form data-confirm="Are you sure?">
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
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
      if (url.href === asked) return; // same count, same price
      const html = await fragment(url);
      if (html !== null && current()) {
        box.innerHTML = html;
        asked = url.href;
      }
    });
    area.addEventListener("input", refresh);
    if (prepaid) prepaid.addEventListener("change", refresh);
    // A browser that restored a draft (back button) shows the price of that draft.
    if (area.value.trim()) refresh();
  }
});
