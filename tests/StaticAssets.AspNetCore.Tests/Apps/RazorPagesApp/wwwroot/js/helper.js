export function helper() {
  return "module loaded";
}
