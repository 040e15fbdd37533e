// Live character counter for any <textarea data-limit="N" aria-describedby="ID">.
document.addEventListener("DOMContentLoaded", () => {
  for (const area of document.querySelectorAll("textarea[data-limit]")) {
    const limit = Number(area.dataset.limit);
    const counter = document.getElementById(area.getAttribute("aria-describedby"));
    if (!counter) continue;
    const update = () => {
      const used = area.value.replace(/\r\n/g, "\n").trim().length;
      counter.textContent = `${used.toLocaleString()} of ${limit.toLocaleString()} characters`;
      counter.classList.toggle("over", used > limit);
    };
    area.addEventListener("input", update);
    update();
  }
  // Ask before destructive actions: <form data-confirm="Are you sure?">
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});

// Live results: <form data-live-result="ID"> with a textarea named "text" asks the form's
// URL for ?text=...&partial=1 as the person types, and shows the answer in element ID.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-live-result]")) {
    const target = document.getElementById(form.dataset.liveResult);
    const area = form.querySelector("textarea[name=text]");
    if (!target || !area) continue;
    let timer = null;
    let latest = 0;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const ask = ++latest;
        const url = new URL(form.action, window.location.href);
        url.searchParams.set("text", area.value);
        url.searchParams.set("partial", "1");
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok && ask === latest) target.innerHTML = await response.text();
      }, 300);
    });
  }
});
