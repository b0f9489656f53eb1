// Served from BaseUrl, this module imports its sibling by its plain name: the import map sends that to the
// sibling's fingerprinted object.
import { answer } from "./probe-answer.js";
document.documentElement.dataset.probe = String(answer);
