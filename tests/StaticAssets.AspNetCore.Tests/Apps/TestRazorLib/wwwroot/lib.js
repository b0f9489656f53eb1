export function libraryGreeting() {
  return "Hello from TestRazorLib";
}
