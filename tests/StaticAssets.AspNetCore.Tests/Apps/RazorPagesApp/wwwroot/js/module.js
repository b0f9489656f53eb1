import { helper } from "./helper.js";
document.documentElement.dataset.module = helper();
