// A script shipped by a Razor class library.
export function greet(element) {
  element.textContent = "Hello from SampleRazorLib";
}
