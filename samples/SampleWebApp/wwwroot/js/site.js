import { greet } from "/_content/SampleRazorLib/widget.js";

document.addEventListener("DOMContentLoaded", () => {
  greet(document.getElementById("widget"));
});
