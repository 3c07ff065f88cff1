using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace KafkaConnect.Connect.EndToEnd.Tests.Ui;

/// <summary>Debian's headless Chromium driven through its chromedriver (both installed by scripts/test.sh).</summary>
internal static class Browser
{
    private const string Chromium = "/usr/bin/chromium";
    private const string DriverDir = "/usr/bin";
    private const string Driver = "chromedriver";

    public static ChromeDriver Start()
    {
        if (!File.Exists(Chromium) || !File.Exists(Path.Combine(DriverDir, Driver)))
        {
            throw new Xunit.Sdk.XunitException(
                $"{Chromium} and {DriverDir}/{Driver} are needed: apt-get install chromium chromium-driver (scripts/test.sh does).");
        }
        var service = ChromeDriverService.CreateDefaultService(DriverDir, Driver);
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        // No sandbox: CI runs as root, where Chromium refuses its sandbox.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
            "--no-first-run", "--disable-extensions");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> and the page's text.</summary>
    public static T WaitFor<T>(this IWebDriver driver, Func<IWebDriver, T?> condition, string what, int seconds = 30)
    {
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(seconds)) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            return wait.Until(d => condition(d))!;
        }
        catch (WebDriverTimeoutException)
        {
            string page;
            try
            {
                page = driver.FindElement(By.TagName("body")).Text;
            }
            catch (WebDriverException ex)
            {
                page = "(page text unavailable: " + ex.Message + ")";
            }
            throw new Xunit.Sdk.XunitException($"timed out after {seconds} s waiting for {what}; the page shows:{Environment.NewLine}{page}");
        }
    }

    public static string TextOf(this IWebDriver driver, string css) => driver.FindElement(By.CssSelector(css)).Text;

    /// <summary>Saves a screenshot to $KC_UI_SCREENSHOTS (how the images in docs/ui.md are made); nothing when unset.</summary>
    public static void Screenshot(this ChromeDriver driver, string name)
    {
        var dir = Environment.GetEnvironmentVariable("KC_UI_SCREENSHOTS");
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }
        Directory.CreateDirectory(dir);
        driver.GetScreenshot().SaveAsFile(Path.Combine(dir, name + ".png"));
    }
}
