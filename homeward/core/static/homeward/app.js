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
