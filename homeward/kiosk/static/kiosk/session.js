// The kiosk's session timer: <span data-session-seconds="N"> counts up from N, once a
// second, as minutes:seconds. The server's own count is what is charged.
document.addEventListener("DOMContentLoaded", () => {
  for (const timer of document.querySelectorAll("[data-session-seconds]")) {
    const started = Date.now() - Number(timer.dataset.sessionSeconds) * 1000;
    const show = () => {
      const seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      const rest = String(seconds % 60).padStart(2, "0");
      timer.textContent = `${Math.floor(seconds / 60)}:${rest}`;
    };
    show();
    setInterval(show, 1000);
  }
});
