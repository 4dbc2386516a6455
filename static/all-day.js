// The event editor: ticking "All day" turns the start and end into date
// pickers (an all-day event has no hour to set) and unticking it brings the
// times back. Without this script the server renders the right pickers for
// the saved event, and the form accepts a date or a date and time.
document.addEventListener("DOMContentLoaded", () => {
  const allDay = document.querySelector("form.editor input[name=all_day]");
  if (!allDay) return;
  const inputs = ["starts_at", "ends_at"]
    .map((name) => document.querySelector(`form.editor input[name=${name}]`))
    .filter(Boolean);
  const usual = { starts_at: "18:00", ends_at: "20:00" };
  allDay.addEventListener("change", () => {
    for (const input of inputs) {
      const [day, time] = input.value.split("T");
      if (allDay.checked && input.type !== "date") {
        if (time) input.dataset.time = time;
        input.type = "date";
        input.value = day || "";
      } else if (!allDay.checked && input.type === "date") {
        input.type = "datetime-local";
        if (day) input.value = `${day}T${input.dataset.time || usual[input.name]}`;
      }
    }
  });
});
