//! Units after a number: `(written, singular, plural)`. Case matters ("mg" is not "Mg").

const UNITS: &[(&str, &str, &str)] = &[
    ("km", "kilometer", "kilometers"),
    ("cm", "centimeter", "centimeters"),
    ("mm", "millimeter", "millimeters"),
    ("m", "meter", "meters"),
    ("kg", "kilogram", "kilograms"),
    ("g", "gram", "grams"),
    ("mg", "milligram", "milligrams"),
    ("lb", "pound", "pounds"),
    ("lbs", "pounds", "pounds"),
    ("oz", "ounce", "ounces"),
    ("ft", "foot", "feet"),
    ("mi", "mile", "miles"),
    ("mph", "mile per hour", "miles per hour"),
    ("km/h", "kilometer per hour", "kilometers per hour"),
    ("kph", "kilometer per hour", "kilometers per hour"),
    ("°C", "degree Celsius", "degrees Celsius"),
    ("°F", "degree Fahrenheit", "degrees Fahrenheit"),
    ("°", "degree", "degrees"),
    ("KB", "kilobyte", "kilobytes"),
    ("kB", "kilobyte", "kilobytes"),
    ("MB", "megabyte", "megabytes"),
    ("GB", "gigabyte", "gigabytes"),
    ("TB", "terabyte", "terabytes"),
    ("Hz", "hertz", "hertz"),
    ("kHz", "kilohertz", "kilohertz"),
    ("MHz", "megahertz", "megahertz"),
    ("GHz", "gigahertz", "gigahertz"),
    ("ms", "millisecond", "milliseconds"),
    ("s", "second", "seconds"),
    ("sec", "second", "seconds"),
    ("secs", "seconds", "seconds"),
    ("min", "minute", "minutes"),
    ("mins", "minutes", "minutes"),
    ("h", "hour", "hours"),
    ("hr", "hour", "hours"),
    ("hrs", "hours", "hours"),
    ("L", "liter", "liters"),
    ("ml", "milliliter", "milliliters"),
    ("mL", "milliliter", "milliliters"),
    ("W", "watt", "watts"),
    ("kW", "kilowatt", "kilowatts"),
    ("kWh", "kilowatt hour", "kilowatt hours"),
    ("V", "volt", "volts"),
    ("mAh", "milliamp hour", "milliamp hours"),
    ("px", "pixel", "pixels"),
    ("x", "times", "times"),
    ("k", "thousand", "thousand"),
    ("K", "thousand", "thousand"),
    ("M", "million", "million"),
    ("B", "billion", "billion"),
    ("bn", "billion", "billion"),
];

/// Units that are also ordinary words or letters are only read as units when written against
/// the number ("5m", not "5 m").
const ATTACHED_ONLY: &[&str] = &[
    "m", "g", "s", "h", "L", "W", "V", "x", "k", "K", "M", "B", "mi", "min",
];

/// The unit's words for `amount` (singular for exactly one).
pub fn unit(written: &str, attached: bool, singular: bool) -> Option<&'static str> {
    if !attached && ATTACHED_ONLY.contains(&written) {
        return None;
    }
    UNITS
        .iter()
        .find(|(w, _, _)| *w == written)
        .map(|(_, one, many)| if singular { *one } else { *many })
}
