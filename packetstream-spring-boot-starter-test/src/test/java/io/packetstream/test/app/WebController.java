package io.packetstream.test.app;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The web layer: a packetstream slice leaves it out. */
@RestController
public class WebController {

  @GetMapping("/hello")
  String hello() {
    return "hello";
  }
}
