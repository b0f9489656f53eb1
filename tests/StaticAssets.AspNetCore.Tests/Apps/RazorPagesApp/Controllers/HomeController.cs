using Microsoft.AspNetCore.Mvc;

namespace RazorPagesApp.Controllers;

public sealed class HomeController : Controller
{
    public IActionResult Mvc() => View();
}
