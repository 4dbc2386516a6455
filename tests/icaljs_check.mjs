// Reads calendars (a JSON list of strings on stdin) with ical.js, the parser
// of web calendar clients, and prints for each its events as
// [uid, summary, dtstart in UTC, sequence], or the parser's error.
import ICAL from "ical.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((text) => {
  try {
    const calendar = new ICAL.Component(ICAL.parse(text));
    for (const zone of calendar.getAllSubcomponents("vtimezone")) {
      ICAL.TimezoneService.register(new ICAL.Timezone(zone));
    }
    return {
      events: calendar.getAllSubcomponents("vevent").map((vevent) => {
        const event = new ICAL.Event(vevent);
        return [event.uid, event.summary, event.startDate.toJSDate().toISOString(), event.sequence];
      }),
    };
  } catch (error) {
    return { error: String(error) };
  }
});
process.stdout.write(JSON.stringify(results));
